import Foundation
import Glibc
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
        (RawServer.Behaviour.silent, "waiting for the response head"),
        (.drip("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", every: 0.5), "waiting for the response head"),
        (.dripBody(head: "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", every: 0.5), "while reading the response body"),
    ])
    func verifyAndListGiveUpAtTheTimeoutNamingThePhase(behaviour: RawServer.Behaviour, phase: String) throws {
        let server = try RawServer(behaviour)
        defer { server.stop() }
        for command in [["verify", "\(Self.gun):1.0"], ["list", Self.gun]] {
            let result = try #require(try Self.signet(command + ["--timeout", "2"], server: server.url))
            #expect(result.status == 3, "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("timed out after 2 s \(phase)"), "\(command[0]): \(result.stderr)")
            #expect(result.stderr.contains("--timeout"), "\(command[0]): \(result.stderr)")
        }
    }

    @Test func endlessInterimResponsesEndInExit3() throws {
        let server = try RawServer(.endlessContinue)
        defer { server.stop() }
        let result = try #require(try Self.signet(["verify", "\(Self.gun):1.0", "--json"], server: server.url))
        #expect(result.status == 3, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(json["exitCode"] as? Int == 3)
        #expect((json["error"] as? String)?.contains("interim (1xx) responses") == true, "\(json)")
    }

    @Test func signetTimeoutEnvironmentVariableIsHonoured() throws {
        let server = try RawServer(.silent)
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
        let realm = try RawServer(.silent)
        defer { realm.stop() }
        let challenge = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"\(realm.url)/token\",service=\"signet\",scope=\"repository:\(Self.gun):pull\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        let server = try RawServer(.reply(challenge))
        defer { server.stop() }
        let result = try #require(try Self.signet(["list", Self.gun, "--timeout", "2"], server: server.url))
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("cannot reach the token realm \(realm.url)/token"), "\(result.stderr)")
        #expect(result.stderr.contains("timed out after 2 s waiting for the response head"), "\(result.stderr)")
    }
}

/// A raw-socket server on 127.0.0.1 that misbehaves on purpose (every connection gets `behaviour`).
final class RawServer: @unchecked Sendable {
    // @unchecked Sendable: `clients` and `stopped` are touched only while holding `lock`.
    enum Behaviour: Sendable, CustomStringConvertible {
        case silent
        case endlessContinue
        case drip(String, every: Double)
        case dripBody(head: String, every: Double)
        case reply(String)

        var description: String {
            switch self {
            case .silent: "silent"
            case .endlessContinue: "endless 100 Continue"
            case .drip: "head dripped"
            case .dripBody: "body dripped"
            case .reply: "reply"
            }
        }
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var stopped = false

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard listener >= 0, ok else { throw TestFailure("raw server: \(String(cString: strerror(errno)))") }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in acceptLoop(behaviour) }.start()
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for fd in clients { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            lock.lock()
            guard !stopped else { lock.unlock(); close(fd); return }
            clients.append(fd)
            lock.unlock()
            Thread { [self] in
                serve(fd, behaviour)
                lock.lock()
                clients.removeAll { $0 == fd }
                lock.unlock()
                close(fd)
            }.start()
        }
    }

    private func serve(_ fd: Int32, _ behaviour: Behaviour) {
        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        _ = recv(fd, &buffer, buffer.count, 0)
        switch behaviour {
        case .silent:
            while !isStopped { usleep(50_000) }
        case .endlessContinue:
            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            while !isStopped, write(interim) {}
        case .drip(let response, let every):
            for byte in response.utf8 {
                guard !isStopped, write([byte]) else { return }
                usleep(UInt32(every * 1_000_000))
            }
        case .dripBody(let head, let every):
            guard write(Array(head.utf8)) else { return }
            while !isStopped, write([UInt8(ascii: "x")]) { usleep(UInt32(every * 1_000_000)) }
        case .reply(let text):
            _ = write(Array(text.utf8))
            Glibc.shutdown(fd, Int32(SHUT_WR))
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
        }
    }
}
