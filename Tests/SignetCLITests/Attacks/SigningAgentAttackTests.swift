import Foundation
import Glibc
import SignetClient
import SignetCrypto
import SignetTestSupport
import Testing

/// A signing agent impostor: listens on the trust dir's agent socket, claims to hold the given key
/// IDs and answers every sign request with `answer(message)`.
final class FakeAgent: @unchecked Sendable {  // the listener is set once in init; `stop` runs once
    let listener: Int32
    let path: String

    init(path: String, keys: [AgentStatus.HeldKey], answer: @escaping @Sendable ([UInt8]) -> (method: String, signature: [UInt8])) throws {
        self.path = path
        listener = try AgentSocket.listen(path)
        let listener = listener
        let status = try JSONEncoder().encode(AgentStatus(pid: getpid(), secondsLeft: 600, keys: keys))
        DispatchQueue.global().async {
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                while let payload = try? AgentSocket.readFrame(fd, maxLength: AgentProtocol.maxRequestBytes), payload.count >= 2 {
                    let reply: [UInt8]
                    switch AgentProtocol.Operation(rawValue: payload[1]) {
                    case .list: reply = AgentProtocol.reply(.ok, Array(status))
                    case .sign:
                        let (method, signature) = answer(Array(payload[(3 + Int(payload[2]))...]))
                        reply = AgentProtocol.signReply(method: method, signature: signature)
                    default: reply = AgentProtocol.reply(.refused, Array("no".utf8))
                    }
                    guard (try? AgentSocket.write(fd, AgentProtocol.frame(reply))) != nil else { break }
                }
                close(fd)
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        unlink(path)
    }
}

/// Attack: a hostile signing agent. Whoever can put a socket at `private/agent.sock` (or an agent
/// that holds another key under the right ID) answers sign requests with garbage or with a
/// signature by a key the role does not list; the client must check every signature against the
/// key the role lists before it goes into metadata, fail naming the agent, and publish nothing.
/// Also: another uid connecting to a real agent is refused (SO_PEERCRED) and logged, and
/// oversized or unknown requests are refused. No TUF advisory covers a signing agent; this mirrors
/// ssh-agent's and gpg-agent's peer checks (the agent must never sign for another user).
@Suite("Attack: signing agent", .serialized) struct SigningAgentAttackTests {
    /// The trust dir's targets and snapshot keys as an agent would list them.
    static func heldKeys(_ fixture: AgentFixture) throws -> [AgentStatus.HeldKey] {
        let keys = try fixture.run(["key", "list", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(keys.stdout.utf8)) as? [[String: Any]])
        return listed.compactMap { key in
            guard let role = key["role"] as? String, role != "root", let id = key["id"] as? String else { return nil }
            return AgentStatus.HeldKey(keyID: id, role: role, gun: key["gun"] as? String)
        }
    }

    enum Lie: String, CaseIterable, CustomTestStringConvertible {
        case randomBytes, anotherKeysSignature, wrongMethod
        var testDescription: String { rawValue }
    }

    @Test(arguments: Lie.allCases)
    func aWrongSignatureFromTheAgentPublishesNothing(_ lie: Lie) throws {
        let fixture = try AgentFixture()
        // The first publish with the real keys, so the server has the collection.
        try fixture.stage("v1")
        try #require(try fixture.run(["publish", fixture.gun], passphrases: true).status == 0)
        try fixture.stage("v2")

        let other = try PrivateKey.generate(.ecdsa)
        let fake = try FakeAgent(path: fixture.socket, keys: try Self.heldKeys(fixture)) { message in
            switch lie {
            case .randomBytes: return ("ecdsa", (0..<64).map { _ in UInt8.random(in: 0...255) })
            case .anotherKeysSignature: return ("ecdsa", (try? other.sign(message)) ?? [])
            case .wrongMethod: return ("eddsa", (try? other.sign(message)) ?? [])
            }
        }
        defer { fake.stop() }
        let published = try fixture.run(["publish", fixture.gun])
        #expect(published.status == 1)
        #expect(published.stderr.contains("the signing agent at \(fixture.socket) returned a signature for key"), "\(published.stderr)")
        #expect(published.stderr.contains("that does not verify against that key"), "\(published.stderr)")
        // Nothing reached the server, and the change is still staged.
        let consumer = try CLI.run(CLI.signet, ["-d", fixture.work.appendingPathComponent("consumer").path, "-s", fixture.server.url, "lookup", fixture.gun, "v2"])
        #expect(consumer.status == 1)
        #expect(consumer.stderr.contains("has no trusted target \"v2\""), "\(consumer.stderr)")
        #expect(try fixture.run(["status", fixture.gun]).stdout.contains("v2"))
        // Without the impostor the same staged change publishes with the key files.
        fake.stop()
        #expect(try fixture.run(["publish", fixture.gun], passphrases: true).status == 0)
    }

    @Test func anAgentThatDiesMidPublishFailsItClearly() throws {
        let fixture = try AgentFixture()
        try fixture.stage("v1")
        // Lists the keys, then closes every sign request's connection without an answer.
        let path = fixture.socket
        let listener = try AgentSocket.listen(path)
        defer { close(listener); unlink(path) }
        let status = try JSONEncoder().encode(AgentStatus(pid: getpid(), secondsLeft: 600, keys: try Self.heldKeys(fixture)))
        DispatchQueue.global().async {
            while true {
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                if let payload = try? AgentSocket.readFrame(fd, maxLength: AgentProtocol.maxRequestBytes), payload.count >= 2, payload[1] == AgentProtocol.Operation.list.rawValue {
                    _ = try? AgentSocket.write(fd, AgentProtocol.frame(AgentProtocol.reply(.ok, Array(status))))
                    _ = try? AgentSocket.readFrame(fd, maxLength: AgentProtocol.maxRequestBytes)
                }
                close(fd)
            }
        }
        let published = try fixture.run(["publish", fixture.gun])
        #expect(published.status == 3)
        #expect(published.stderr.contains("the signing agent at \(path)"), "\(published.stderr)")
        #expect(published.stderr.contains("closed the connection without answering"), "\(published.stderr)")
        let consumer = try CLI.run(CLI.signet, ["-d", fixture.work.appendingPathComponent("consumer").path, "-s", fixture.server.url, "lookup", fixture.gun, "v1"])
        #expect(consumer.status == 1, "nothing may be published: \(consumer.stdout)")
    }

    @Test func anotherUsersConnectionIsRefused() throws {
        guard RequiredTool.isInstalled("/usr/bin/setpriv") else { return }
        try #require(getuid() == 0, "this test runs a client as nobody, which needs root")
        let fixture = try AgentFixture()
        try #require(try fixture.run(["agent", "start"], passphrases: true).status == 0)
        // Test only: loosen the directories and the socket, as a careless chmod would, so that
        // nobody can reach the socket at all; the agent's peer check is what must still refuse.
        for directory in [fixture.work.path, fixture.trustDir] { chmod(directory, 0o755) }
        chmod(fixture.privateDir, 0o711)
        chmod(fixture.socket, 0o666)
        defer { chmod(fixture.privateDir, 0o700) }
        // signet itself, run as nobody, sees that the socket is served by another uid and stops.
        let client = try CLI.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", CLI.signet, "-d", fixture.trustDir, "agent", "status"])
        #expect(client.status == 3, "\(client.stdout) \(client.stderr)")
        #expect(client.stderr.contains("agent.sock is served by another user's process; it was not used"), "\(client.stderr)")
        // A raw client as nobody that asks anyway gets the connection closed and no answer.
        guard RequiredTool.isInstalled("/usr/bin/python3") else { return }
        let ask = """
        import socket, sys
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(sys.argv[1])
        try:
            s.sendall(bytes([0, 0, 0, 2, 1, 1]))
            data = s.recv(65536)
        except OSError as e:
            data = b""
        print("answer:%d" % len(data))
        """
        let intruder = try CLI.run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3", "-c", ask, fixture.socket])
        #expect(intruder.stdout.contains("answer:0"), "\(intruder.stdout) \(intruder.stderr)")
        #expect(AgentFixture.log(fixture.log).contains("refused a connection from uid 65534"), "\(AgentFixture.log(fixture.log))")
        // The owner is still served.
        #expect(try fixture.heldRoles() == ["snapshot", "targets"])
    }

    @Test func oversizedAndUnknownRequestsAreRefused() throws {
        let fixture = try AgentFixture()
        try #require(try fixture.run(["agent", "start"], passphrases: true).status == 0)
        func exchange(_ bytes: [UInt8]) throws -> (status: UInt8, text: String)? {
            let fd = try #require(try AgentSocket.connect(fixture.socket))
            defer { close(fd) }
            try AgentSocket.write(fd, bytes)
            guard let reply = try AgentSocket.readFrame(fd, maxLength: AgentProtocol.maxReplyBytes), reply.count >= 2 else { return nil }
            return (reply[1], String(decoding: reply[2...], as: UTF8.self))
        }
        // A length over the limit is refused from the 4-byte prefix, before any body is sent.
        let length = AgentProtocol.maxRequestBytes + 1
        let oversized = try #require(try exchange([UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)]))
        #expect(oversized.status == AgentProtocol.Status.refused.rawValue)
        #expect(oversized.text.contains("a request of \(length) bytes is over the limit of \(AgentProtocol.maxRequestBytes) bytes"), "\(oversized.text)")
        #expect(AgentFixture.log(fixture.log).contains("refused a request of \(length) bytes"))
        // The client refuses to send a message over the limit at all.
        #expect(throws: ClientError.self) { try AgentProtocol.signRequest(keyID: String(repeating: "a", count: 64), message: [UInt8](repeating: 0, count: AgentProtocol.maxMessageBytes + 1)) }

        let unknown = try #require(try exchange(AgentProtocol.frame([AgentProtocol.version, 9])))
        #expect(unknown.status == AgentProtocol.Status.refused.rawValue)
        #expect(unknown.text == "unknown operation 9")
        let version = try #require(try exchange(AgentProtocol.frame([2, AgentProtocol.Operation.list.rawValue])))
        #expect(version.text.contains("protocol version 2 is not spoken here"))
        let notHeld = try #require(try exchange(AgentProtocol.frame(try AgentProtocol.signRequest(keyID: String(repeating: "0", count: 64), message: [1, 2, 3]))))
        #expect(notHeld.status == AgentProtocol.Status.refused.rawValue)
        #expect(notHeld.text.contains("this agent holds no key 000000"))
        // And it still serves.
        #expect(try fixture.heldRoles() == ["snapshot", "targets"])
    }
}
