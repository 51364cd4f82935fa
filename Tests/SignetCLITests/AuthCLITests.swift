import Foundation
import SignetTestSupport
import Testing

/// `signet` with `SIGNET_AUTH` against an htpasswd-protected `signet serve`: it follows the
/// server's Bearer challenge to the built-in token endpoint, and never shows the password.
@Suite(.serialized) struct AuthCLITests {
    /// `signet serve` with an htpasswd file and a policy, on a free loopback port.
    final class ProtectedServer {
        let process = Process()
        let url: String
        let directory: URL
        let log: URL

        init() throws {
            directory = try CLI.temporaryDirectory()
            let htpasswd = directory.appendingPathComponent("htpasswd").path
            for (index, (user, password)) in [("alice", "alice-secret"), ("bob", "bob-secret")].enumerated() {
                let result = try CLI.run("/usr/bin/htpasswd", (index == 0 ? ["-c"] : []) + ["-B", "-b", htpasswd, user, password])
                try #require(result.status == 0, "htpasswd: \(result.stderr)")
            }
            let policy = directory.appendingPathComponent("policy.json")
            try Data(#"""
            {"rules": [{"identities": ["alice"], "guns": ["example.com/*"], "actions": ["*"]},
                       {"identities": ["bob"], "guns": ["example.com/*"], "actions": ["pull"]}]}
            """#.utf8).write(to: policy)
            let port = try FreePort.pick()
            url = "http://127.0.0.1:\(port)"
            log = directory.appendingPathComponent("serve.log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            process.executableURL = URL(fileURLWithPath: CLI.signet)
            process.arguments = ["serve", "--listen", "127.0.0.1:\(port)", "--storage", directory.appendingPathComponent("data").path,
                                 "--htpasswd", htpasswd, "--policy", policy.path]
            var environment = ProcessInfo.processInfo.environment
            environment["SIGNET_SERVER_KEY_PASSPHRASE"] = "test-server-passphrase"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: log)
            try process.run()
            for _ in 0..<100 {
                if let result = try? CLI.run("/usr/bin/curl", ["-sf", "\(url)/_notary_server/health"]), result.status == 0 { return }
                usleep(100_000)
            }
            process.terminate()
            throw TestFailure("signet serve did not start on \(url)")
        }

        var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        func stop() {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static func auth(_ user: String, _ password: String) -> String { Data("\(user):\(password)".utf8).base64EncodedString() }

    @Test func signetPublishesAndListsWithSignetAuth() throws {
        let server = try ProtectedServer()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = "example.com/app"
        let file = work.appendingPathComponent("hello.txt")
        try Data("hello\n".utf8).write(to: file)
        func signet(_ arguments: [String], trustDir: String, auth: String?, authVariable: String = "SIGNET_AUTH") throws -> CLI.Result {
            var environment = CLI.passphrases
            if let auth { environment[authVariable] = auth }
            return try SignetBinary.run(arguments + ["-d", work.appendingPathComponent(trustDir).path, "-s", server.url, "--verbose"], environment: environment)
        }
        let alice = Self.auth("alice", "alice-secret")
        #expect(try signet(["init", gun], trustDir: "alice", auth: alice).status == 0)
        #expect(try signet(["add", gun, "v1", file.path], trustDir: "alice", auth: alice).status == 0)
        let published = try signet(["publish", gun], trustDir: "alice", auth: alice)
        #expect(published.status == 0, "publish: \(published.stderr)")
        let listed = try signet(["list", gun], trustDir: "alice", auth: alice)
        #expect(listed.status == 0 && listed.stdout.contains("v1"), "list: \(listed.stdout) \(listed.stderr)")

        // NOTARY_AUTH is accepted too; bob (pull only) reads.
        let bobList = try signet(["list", gun], trustDir: "bob", auth: Self.auth("bob", "bob-secret"), authVariable: "NOTARY_AUTH")
        #expect(bobList.status == 0 && bobList.stdout.contains("v1"), "bob list: \(bobList.stderr)")
        // bob cannot delete on the server.
        let bobDelete = try signet(["delete", gun, "--remote"], trustDir: "bob", auth: Self.auth("bob", "bob-secret"))
        #expect(bobDelete.status == 1)
        #expect(bobDelete.stderr.contains("access denied"), "\(bobDelete.stderr)")

        // Without credentials: refused with a hint; a wrong password is refused and never echoed.
        let anonymous = try signet(["list", gun], trustDir: "anon", auth: nil)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("SIGNET_AUTH"), "\(anonymous.stderr)")
        let wrong = try signet(["list", gun], trustDir: "wrong", auth: Self.auth("alice", "wrong-password-42"))
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("wrong user name or password for \(server.url)/_signet/token"), "\(wrong.stderr)")
        #expect(!(wrong.stderr + wrong.stdout).contains("wrong-password-42"))
        #expect(!(published.stderr + listed.stderr).contains("alice-secret"))
        #expect(!(published.stderr + listed.stderr).contains("signet."), "tokens never appear in verbose output")
        #expect(!server.logText.contains("wrong-password-42") && !server.logText.contains("alice-secret"))

        // A malformed SIGNET_AUTH is a usage error that does not echo the value.
        let malformed = try signet(["list", gun], trustDir: "bad", auth: "%%%not-base64%%%")
        #expect(malformed.status == 2)
        #expect(malformed.stderr.contains("SIGNET_AUTH must be base64 of user:password"), "\(malformed.stderr)")
        #expect(!malformed.stderr.contains("not-base64"))
    }
}
