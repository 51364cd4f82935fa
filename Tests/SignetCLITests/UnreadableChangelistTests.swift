import Foundation
import SignetTestSupport
import Testing

/// A GUN's changelist that exists but cannot be listed (here: a file where the directory should
/// be; likewise a directory another user owns) was read as "nothing staged" (`try?`): `status`
/// said "No unpublished changes" and the staged changes were silently not published. Now it is
/// an I/O failure (exit 3) naming the changelist; a changelist that does not exist is still
/// "nothing staged".
@Suite struct UnreadableChangelistTests {
    @Test func aChangelistThatCannotBeListedIsNamedNotEmpty() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = "example.com/unreadable-changelist/app"
        let trustDir = work.appendingPathComponent("trust")
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        func signet(_ arguments: [String]) throws -> CLI.Result {
            try SignetBinary.run(arguments + ["-d", trustDir.path, "-s", closed], environment: CLI.passphrases)
        }
        let empty = try signet(["status", gun])
        #expect(empty.status == 0 && empty.stdout.contains("No unpublished changes for \(gun)"), "\(empty.stdout) \(empty.stderr)")
        let staged = try signet(["add", gun, "v1", "--digest", "sha256:" + String(repeating: "ab", count: 32), "--size", "3", "--role", "targets"])
        try #require(staged.status == 0, "\(staged.stderr)")
        let changelist = trustDir.appendingPathComponent("tuf/\(gun)/changelist")
        try FileManager.default.removeItem(at: changelist)
        try Data("not a directory\n".utf8).write(to: changelist)
        for command in [["status", gun], ["status", gun, "--json"]] {
            let result = try signet(command)
            #expect(result.status == 3, "\(command): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("cannot list the changelist \(changelist.path)"), "\(command): \(result.stderr)")
        }
    }
}
