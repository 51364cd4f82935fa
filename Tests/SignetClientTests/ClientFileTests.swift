import Foundation
@testable import SignetClient
import Testing

/// The client's file writes (`ClientFile`, over SignetSupport's `AtomicFile`): a failure is
/// `ClientError(.io)` (exit code 3) naming the file, and the file already there is left as it was.
@Suite struct ClientFileTests {
    static func scratch() throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("signet-client-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Puts a non-empty directory at `file`, so that rename(2) over it fails (EISDIR).
    static func directoryInTheWay(at file: URL) throws {
        try FileManager.default.createDirectory(at: file, withIntermediateDirectories: false)
        try Data("old".utf8).write(to: file.appendingPathComponent("inside"))
    }

    @Test func writesWithTheExactModeAndCreatesParents() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("tuf/example.com/app/metadata/root.json")
        try ClientFile.write(Array("one".utf8), to: file, mode: 0o600)
        try ClientFile.write(Array("two".utf8), to: file, mode: 0o600)
        #expect(try Data(contentsOf: file) == Data("two".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: file.deletingLastPathComponent().path) == ["root.json"])
    }

    @Test func failedWriteNamesTheFileAndKeepsTheOldOne() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("root.json")
        try Self.directoryInTheWay(at: file)
        do {
            try ClientFile.write(Array("new".utf8), to: file, mode: 0o600)
            Issue.record("a write over a directory succeeded")
        } catch let error as ClientError {
            #expect(error.code == .io)
            #expect(error.message.contains(file.path), "\(error.message)")
        }
        #expect(try Data(contentsOf: file.appendingPathComponent("inside")) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["root.json"])
    }

    @Test func writeAllRemovesEveryFileWhenOneFails() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let blocked = directory.appendingPathComponent("b.change")
        try Self.directoryInTheWay(at: blocked)
        let files = [(bytes: Array("a".utf8), file: directory.appendingPathComponent("a.change")),
                     (bytes: Array("b".utf8), file: blocked)]
        do {
            try ClientFile.writeAll(files, mode: 0o600)
            Issue.record("writeAll over a directory succeeded")
        } catch let error as ClientError {
            #expect(error.code == .io)
            #expect(error.message.contains(blocked.path), "\(error.message)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["b.change"])
    }
}
