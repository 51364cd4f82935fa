import Foundation
import Glibc
import SignetTestSupport
import Testing

/// Endless data against the CLI: a trust server (or its token realm) that never answers, drips its
/// response one byte at a time, or sends `100 Continue` forever must not keep `signet verify` /
/// `signet list` running: `--timeout SECONDS` (or `SIGNET_TIMEOUT`) is one deadline per request,
/// and the refusal is exit 3 naming the phase. TUF specification §1.5.2 (endless data, slow
/// retrieval); issue 9 hole 4, issue 10 §3. The process is killed after `hangBound` seconds, far
/// above the deadline: a hang detector, not a speed check.
@Suite("Attack: endless data")
struct CLIEndlessDataAttackTests {
    static let hangBound = 60.0
    static let gun = "example.com/team/app"

    /// Runs `signet` with a fresh trust dir against `server`; nil (and an issue) when it had to be killed.
    static func signet(_ arguments: [String], server: String, environment: [String: String] = [:],
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result? {
        let trustDir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trustDir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.signet)
        process.arguments = arguments + ["-d", trustDir.path, "-s", server]
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SIGNET_") }
        env["HOME"] = trustDir.path
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let exited = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { process.waitUntilExit(); exited.signal() }
        guard exited.wait(timeout: .now() + hangBound) == .success else {
            kill(process.processIdentifier, SIGKILL)  // SIGTERM may be blocked or ignored in the test runner
            process.waitUntilExit()
            Issue.record("signet \(arguments.joined(separator: " ")) did not return within \(hangBound) s", sourceLocation: sourceLocation)
            return nil
        }
        return CLI.Result(status: process.terminationStatus,
                          stdout: String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
                          stderr: String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    @Test(arguments: [
        (HostileServer.Behaviour.silent, "waiting for the response head"),
        (.drip("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", every: 0.5), "waiting for the response head"),
        (.dripBody(head: "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", every: 0.5), "while reading the response body"),
    ])
    func verifyAndListGiveUpAtTheTimeoutNamingThePhase(behaviour: HostileServer.Behaviour, phase: String) throws {
        let server = try HostileServer(behaviour)
        defer { server.stop() }
        for command in [["verify", "\(Self.gun):1.0"], ["list", Self.gun]] {
            let result = try #require(try Self.signet(command + ["--timeout", "2"], server: server.url))
            #expect(result.status == 3, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("timed out after 2 s \(phase)"), "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("--timeout"), "\(command[0]): \(result.stderr)")
        }
    }

    @Test func endlessInterimResponsesEndInExit3() throws {
        let server = try HostileServer(.endlessContinue)
        defer { server.stop() }
        let result = try #require(try Self.signet(["verify", "\(Self.gun):1.0", "--json"], server: server.url))
        #expect(result.status == 3, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(json["exitCode"] as? Int == 3)
        #expect((json["error"] as? String)?.contains("interim (1xx) responses") == true, "\(json)")
    }

    @Test func signetTimeoutEnvironmentVariableIsHonoured() throws {
        let server = try HostileServer(.silent)
        defer { server.stop() }
        let result = try #require(try Self.signet(["list", Self.gun], server: server.url, environment: ["SIGNET_TIMEOUT": "1.5"]))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("timed out after 1.5 s waiting for the response head"), "\(result.stderr)")
        // --timeout wins over the variable.
        let flag = try #require(try Self.signet(["list", Self.gun, "--timeout", "1"], server: server.url, environment: ["SIGNET_TIMEOUT": "1000"]))
        #expect(flag.stderr.contains("timed out after 1 s"), "\(flag.stderr)")
    }

    @Test(arguments: [("--timeout", "0"), ("--timeout", "-1"), ("--timeout", "soon"), ("SIGNET_TIMEOUT", "nan"), ("SIGNET_TIMEOUT", "1e9")])
    func badTimeoutIsBadUsage(source: String, value: String) throws {
        let flag = source == "--timeout" ? ["--timeout=\(value)"] : []
        let environment = source == "SIGNET_TIMEOUT" ? ["SIGNET_TIMEOUT": value] : [:]
        let result = try #require(try Self.signet(["list", Self.gun] + flag, server: "http://127.0.0.1:9", environment: environment))
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("\(source) \(value) is not a number of seconds"), "\(result.stderr)")
    }

    /// The token realm's request has the same deadline: a trust server that challenges with a realm
    /// that never answers ends in exit 3 naming the realm and the phase.
    @Test func tokenRealmRequestsHonourTheTimeout() throws {
        let realm = try HostileServer(.silent)
        defer { realm.stop() }
        let challenge = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"\(realm.url)/token\",service=\"signet\",scope=\"repository:\(Self.gun):pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let server = try HostileServer(.reply(challenge))
        defer { server.stop() }
        let result = try #require(try Self.signet(["list", Self.gun, "--timeout", "2"], server: server.url))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("cannot reach the token realm \(realm.url)/token"), "\(result.stderr)")
        #expect(result.stderr.contains("timed out after 2 s waiting for the response head"), "\(result.stderr)")
    }
}
