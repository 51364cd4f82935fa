import Foundation
@testable import SignetServer
import Testing

/// The storage layer's file writes (`StorageFile`, over SignetSupport's `AtomicFile`): a failure is
/// Notary's `UPDATING` with a log line naming the file the store wanted to write, and the file
/// already there is left as it was.
@Suite struct StorageFileTests {
    @Test func failureNamesTheTargetFileNotTheTemporaryFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let target = scratch.path + "/missing/root.json"
        do {
            try StorageFile.write(Array("new".utf8), to: target)
            Issue.record("a write into a missing directory succeeded")
        } catch let error as NotaryError {
            #expect(error.code == .updating)
            #expect(error.logMessage.contains(target), "\(error.logMessage)")
        }
    }

    @Test func failedRenameKeepsTheOldFileAndLeavesNoTemporaryFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // A non-empty directory where the file should go: rename(2) over it fails (EISDIR).
        let target = scratch.path + "/root.json"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try Data("old".utf8).write(to: URL(fileURLWithPath: target + "/inside"))
        do {
            try StorageFile.write(Array("new".utf8), to: target)
            Issue.record("a write over a directory succeeded")
        } catch let error as NotaryError {
            #expect(error.code == .updating)
            #expect(error.logMessage.contains(target) && error.logMessage.contains("rename"), "\(error.logMessage)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/inside")) == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["root.json"])
    }
}
