import Foundation
import Glibc
import SignetClient
import SignetTestSupport
import Testing

/// A trust dir with an initialized collection on a fresh `signet serve`, and the commands a test
/// of the signing agent runs on it.
final class AgentFixture {
    let server: RunningTrustServer
    let work: URL
    let gun = "example.com/agent/app"
    var trustDir: String { work.appendingPathComponent("trust").path }
    var privateDir: String { trustDir + "/private" }
    var socket: String { privateDir + "/agent.sock" }
    var log: String { privateDir + "/agent.log" }

    init() throws {
        server = try TrustServerKind.signet.start()
        work = try CLI.temporaryDirectory()
        let initialized = try run(["init", gun], passphrases: true)
        guard initialized.status == 0 else { throw TestFailure("init failed: \(initialized.stderr)") }
    }

    deinit {
        // Whatever a test left running: the agent (by its socket), then the server.
        _ = try? run(["agent", "stop"])
        server.stop()
        try? FileManager.default.removeItem(at: work)
    }

    /// `signet -d TRUST -s SERVER ARGS`, with the passphrases only when asked for (stdin is not
    /// a terminal, so a key without its variable cannot be unlocked).
    @discardableResult
    func run(_ arguments: [String], passphrases: Bool = false, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(CLI.signet, ["-d", trustDir, "-s", server.url] + arguments,
                    environment: (passphrases ? CLI.passphrases : [:]).merging(environment) { $1 })
    }

    /// `agent status --json` as a dictionary, or nil when it fails.
    func status() throws -> [String: Any]? {
        let result = try run(["agent", "status", "--json"])
        guard result.status == 0 else { return nil }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    }

    func heldRoles() throws -> [String] {
        ((try status()?["keys"] as? [[String: Any]]) ?? []).compactMap { $0["role"] as? String }.sorted()
    }

    func agentPID() throws -> pid_t? {
        (try status()?["pid"] as? Int).map { pid_t($0) }
    }

    /// Stages `tag` with a digest made from its name.
    func stage(_ tag: String) throws {
        let staged = try run(["add", gun, tag, "--digest", "sha256:" + EndToEndTests.sha256Hex(tag), "--size", "100"])
        guard staged.status == 0 else { throw TestFailure("add failed: \(staged.stderr)") }
    }

    /// Polls `condition` every 50 ms for up to `seconds` (a bound against hanging, not a speed check).
    static func eventually(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    static func log(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// `signet agent start/status/stop` with real processes on a real Unix socket, and publishes
/// signed through the agent (docs/signing-agent.md).
@Suite(.serialized) struct SigningAgentTests {
    @Test func publishThroughTheAgentNeedsNoPassphrase() throws {
        let fixture = try AgentFixture()
        try fixture.stage("v1")
        // Without the agent, the same publish needs the passphrases it does not have.
        let locked = try fixture.run(["publish", fixture.gun])
        #expect(locked.status == 1)
        #expect(locked.stderr.contains("is encrypted and no passphrase is available: set SIGNET_"), "\(locked.stderr)")

        let started = try fixture.run(["agent", "start", "--json"], passphrases: true)
        try #require(started.status == 0, "\(started.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(started.stdout.utf8)) as? [String: Any])
        #expect(document["socket"] as? String == fixture.socket)
        #expect(AgentFixture.mode(fixture.socket) == 0o600)
        #expect(AgentFixture.mode(fixture.privateDir) == 0o700)
        #expect(try fixture.heldRoles() == ["snapshot", "targets"])
        let seconds = try #require(try fixture.status()?["secondsLeft"] as? Int)
        #expect(seconds > 0 && seconds <= 15 * 60)

        // No passphrase variable at all now: every signature comes from the agent.
        let published = try fixture.run(["publish", fixture.gun])
        #expect(published.status == 0, "\(published.stderr)")
        let lookup = try fixture.run(["lookup", fixture.gun, "v1"])
        #expect(lookup.stdout.hasPrefix("v1 sha256:\(EndToEndTests.sha256Hex("v1")) 100"), "\(lookup.stderr)")
        // A second trust dir verifies what the agent signed.
        let consumer = try CLI.run(CLI.signet, ["-d", fixture.work.appendingPathComponent("consumer").path, "-s", fixture.server.url, "lookup", fixture.gun, "v1"])
        #expect(consumer.status == 0, "\(consumer.stderr)")

        // SIGNET_AGENT=off bypasses the running agent: back to the passphrases.
        try fixture.stage("v2")
        let bypassed = try fixture.run(["publish", fixture.gun], environment: ["SIGNET_AGENT": "off"])
        #expect(bypassed.status == 1)
        #expect(bypassed.stderr.contains("no passphrase is available"), "\(bypassed.stderr)")

        let stopped = try fixture.run(["agent", "stop"])
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stdout.contains("Stopped the signing agent at \(fixture.socket)"))
        #expect(!AgentFixture.exists(fixture.socket))
        let none = try fixture.run(["agent", "status"])
        #expect(none.status == 1)
        #expect(none.stderr.contains("no signing agent runs for"), "\(none.stderr)")
        #expect(try fixture.run(["agent", "stop"]).status == 1)
        // The log says what happened and holds nothing secret.
        let log = AgentFixture.log(fixture.log)
        #expect(log.contains("started, pid") && log.contains("stopped: agent stop"), "\(log)")
        for secret in CLI.passphrases.values { #expect(!log.contains(secret)) }
    }

    @Test func aSecondStartIsRefusedAndAStaleSocketIsCleaned() throws {
        let fixture = try AgentFixture()
        try #require(try fixture.run(["agent", "start"], passphrases: true).status == 0)
        let second = try fixture.run(["agent", "start"], passphrases: true)
        #expect(second.status == 2)
        #expect(second.stderr.contains("a signing agent already serves \(fixture.socket)"), "\(second.stderr)")

        // Killed without a chance to clean up: its socket file stays, and nothing listens.
        let pid = try #require(try fixture.agentPID())
        kill(pid, SIGKILL)
        #expect(AgentFixture.eventually(within: 10) { (try? fixture.status()) == nil })
        #expect(AgentFixture.exists(fixture.socket))
        let none = try fixture.run(["agent", "status"])
        #expect(none.status == 1, "\(none.stderr)")
        // A new start removes the stale file and serves.
        let restarted = try fixture.run(["agent", "start"], passphrases: true)
        #expect(restarted.status == 0, "\(restarted.stderr)")
        #expect(try fixture.agentPID() != pid)
        #expect(try fixture.run(["agent", "stop"]).status == 0)
    }

    @Test func theAgentEndsAtItsLifetimeAndOnSIGTERM() throws {
        let fixture = try AgentFixture()
        try #require(try fixture.run(["agent", "start", "--lifetime", "2s"], passphrases: true).status == 0)
        #expect(AgentFixture.exists(fixture.socket))
        #expect(AgentFixture.eventually(within: 60) { !AgentFixture.exists(fixture.socket) })
        #expect(AgentFixture.log(fixture.log).contains("stopped: timeout"))

        try #require(try fixture.run(["agent", "start"], passphrases: true).status == 0)
        let pid = try #require(try fixture.agentPID())
        kill(pid, SIGTERM)
        #expect(AgentFixture.eventually(within: 30) { !AgentFixture.exists(fixture.socket) })
        #expect(AgentFixture.log(fixture.log).contains("stopped: signal \(SIGTERM)"))
        #expect(AgentFixture.eventually(within: 10) { kill(pid, 0) != 0 })
    }

    @Test func lifetimesOutOfBoundsAreRefused() throws {
        let fixture = try AgentFixture()
        for lifetime in ["25h", "0s", "2x", "-5m", "86401s"] {
            let result = try fixture.run(["agent", "start", "--lifetime=\(lifetime)"], passphrases: true)
            #expect(result.status == 2, "\(lifetime)")
            #expect(result.stderr.contains("is not a duration from 1s to 24h"), "\(lifetime): \(result.stderr)")
        }
        #expect(!AgentFixture.exists(fixture.socket))
    }

    @Test func theRootKeyIsHeldOnlyWhenAskedFor() throws {
        let fixture = try AgentFixture()
        let keys = try fixture.run(["key", "list", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(keys.stdout.utf8)) as? [[String: Any]])
        let rootID = try #require(listed.first { $0["role"] as? String == "root" }?["id"] as? String)

        let named = try fixture.run(["agent", "start", "--key", String(rootID.prefix(10))], passphrases: true)
        #expect(named.status == 2)
        #expect(named.stderr.contains("is a root key: the agent holds root keys only with --include-root"), "\(named.stderr)")
        #expect(!AgentFixture.exists(fixture.socket))

        try #require(try fixture.run(["agent", "start"], passphrases: true).status == 0)
        #expect(try fixture.heldRoles() == ["snapshot", "targets"])
        #expect(try fixture.run(["agent", "stop"]).status == 0)

        try #require(try fixture.run(["agent", "start", "--include-root"], passphrases: true).status == 0)
        #expect(try fixture.heldRoles() == ["root", "snapshot", "targets"])
        #expect(try fixture.run(["agent", "stop"]).status == 0)

        // --gun of another collection holds none of this one's keys (and no delegation key exists).
        let other = try fixture.run(["agent", "start", "--gun", "example.com/other"], passphrases: true)
        #expect(other.status == 1)
        #expect(other.stderr.contains("no key to hold"), "\(other.stderr)")
    }

    @Test func aPrivateDirectoryOthersCanReachIsRefused() throws {
        let fixture = try AgentFixture()
        chmod(fixture.privateDir, 0o755)
        defer { chmod(fixture.privateDir, 0o700) }
        let result = try fixture.run(["agent", "start"], passphrases: true)
        #expect(result.status == 2)
        #expect(result.stderr.contains("is mode 755; the signing agent needs it 0700"), "\(result.stderr)")
        #expect(!AgentFixture.exists(fixture.socket))
    }
}
