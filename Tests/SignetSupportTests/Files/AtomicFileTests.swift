import Foundation
import Glibc
@testable import SignetSupport
import Testing

/// `AtomicFile`, the one crash-safe write: whole file or old file, exact mode, every failure a
/// `FileSystemError` naming the file asked for, never a lost or half-written old file.
@Suite struct AtomicFileTests {
    /// A fresh directory under the system's temporary directory.
    static func scratch() throws -> String {
        let path = NSTemporaryDirectory() + "signet-atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func run(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        do { try process.run() } catch { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    static func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test func replacesTheFileWithTheExactModeAndNoTemporaryFileLeft() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/root.json"
        let previous = umask(0o077)
        defer { umask(previous) }
        try AtomicFile.write(Array("one".utf8), to: path, mode: 0o644)
        try AtomicFile.write(Array("two".utf8), to: path, mode: 0o644)
        #expect(try Self.contents(path) == "two")
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["root.json"])
    }

    @Test func writeIntoAReadOnlyDirectoryFailsNamingThePathAndKeepsTheOldFile() throws {
        let directory = try Self.scratch()
        let path = directory + "/root.json"
        try AtomicFile.write(Array("old".utf8), to: path, mode: 0o600)
        // Root ignores permission bits, so as root the directory is made immutable instead.
        let asRoot = getuid() == 0
        if asRoot {
            guard Self.run("/usr/bin/chattr", ["+i", directory]) == 0 else {
                Issue.record("chattr +i failed (Debian package e2fsprogs; needs an ext2/3/4 or xfs temporary directory)")
                return
            }
        } else {
            chmod(directory, 0o500)
        }
        defer {
            if asRoot { _ = Self.run("/usr/bin/chattr", ["-i", directory]) } else { chmod(directory, 0o700) }
            try? FileManager.default.removeItem(atPath: directory)
        }
        #expect {
            try AtomicFile.write(Array("new".utf8), to: path, mode: 0o600)
        } throws: { error in
            guard let error = error as? FileSystemError else { return false }
            return error.step == .create && error.path == path && error.description.contains(path)
                && (error.code == EACCES || error.code == EPERM)
        }
        #expect(try Self.contents(path) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["root.json"])
    }

    @Test func writeToAFullFileSystemFailsNamingThePathAndKeepsTheOldFile() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A 64 KiB tmpfs: mounting needs root (CAP_SYS_ADMIN), which the test machines have.
        guard Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", directory]) == 0 else {
            Issue.record("cannot mount a 64 KiB tmpfs (mount from Debian package mount; needs root)")
            return
        }
        defer { _ = Self.run("/bin/umount", [directory]) }
        let path = directory + "/root.json"
        try AtomicFile.write(Array("old".utf8), to: path, mode: 0o600)
        #expect {
            try AtomicFile.write([UInt8](repeating: 0x41, count: 256 * 1024), to: path, mode: 0o600)
        } throws: { error in
            guard let error = error as? FileSystemError else { return false }
            return error.step == .write && error.code == ENOSPC && error.description.contains(path)
        }
        #expect(try Self.contents(path) == "old")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["root.json"])
    }

    @Test func writeAllCommitsEveryFileOrNone() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try AtomicFile.writeAll([(Array("a".utf8), directory + "/a"), (Array("b".utf8), directory + "/b")], mode: 0o600)
        #expect(try Self.contents(directory + "/a") == "a" && Self.contents(directory + "/b") == "b")
        // The third file's place is taken by a non-empty directory: its rename fails, and the two
        // files committed before it in this batch are removed again.
        try FileManager.default.createDirectory(atPath: directory + "/z", withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: directory + "/z/inside"))
        #expect {
            try AtomicFile.writeAll([(Array("c".utf8), directory + "/c"), (Array("d".utf8), directory + "/d"),
                                     (Array("z".utf8), directory + "/z")], mode: 0o600)
        } throws: { error in
            (error as? FileSystemError).map { $0.step == .rename && $0.path == directory + "/z" } ?? false
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["a", "b", "z"])
    }
}
