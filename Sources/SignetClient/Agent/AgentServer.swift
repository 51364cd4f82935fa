import Dispatch
import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF
import Synchronization

/// The signing agent's process (`signet agent run`, started by `signet agent start`): holds
/// unlocked private keys in memory only and signs with them for connections from this uid on
/// its socket, until its timeout, `signet agent stop`, or SIGTERM / SIGINT / SIGHUP; then it
/// removes its socket (only if it is still its own) and drops the keys (OpenSSL clears a key's
/// private part when it is freed) before it exits. Refused connections and the start and stop go
/// to `private/agent.log`, never a key or a message's bytes. See docs/signing-agent.md.
package final class AgentServer: Sendable {
    /// One held key. The key ID is computed from the private key itself, never taken from outside.
    package struct HeldKey: Sendable {
        package var role: String
        package var gun: String?
        package var privateKey: PrivateKey
        package var keyID: String { TUFKey(publicKey: privateKey.publicKey).id }
        package init(role: String, gun: String?, privateKey: PrivateKey) { self.role = role; self.gun = gun; self.privateKey = privateKey }
    }

    /// The longest timeout: 24 hours, in seconds.
    package static let maxTimeoutSeconds: Int64 = 24 * 3600
    /// Connections served at once; more wait in the listen backlog.
    package static let maxConnections = 16

    let socketPath: String
    let logPath: String
    let listener: Int32
    /// The socket file's inode after bind, so that shutdown never removes another agent's socket.
    let socketInode: UInt64
    let deadline: UInt64
    let memoryLocked: Bool
    private let keys: Mutex<[String: HeldKey]>
    private let connections = Atomic<Int>(0)

    /// Binds the socket (`AgentSocket.listen`: 0600, stale socket removed, live agent refused)
    /// and takes `keys`.
    /// - Parameter timeoutSeconds: 1 … `maxTimeoutSeconds`.
    /// - Throws: `ClientError(.usage)` for a timeout out of range, too many keys or a socket a live
    ///   agent serves; `ClientError(.io)` when the socket cannot be bound.
    package init(socketPath: String, keys: [HeldKey], timeoutSeconds: Int64) throws {
        guard timeoutSeconds >= 1, timeoutSeconds <= Self.maxTimeoutSeconds else {
            throw ClientError(.usage, "the agent's timeout must be 1 second to 24 hours, not \(timeoutSeconds) seconds")
        }
        guard keys.count <= AgentProtocol.maxKeys else { throw ClientError(.usage, "an agent holds at most \(AgentProtocol.maxKeys) keys, not \(keys.count)") }
        self.socketPath = socketPath
        self.logPath = URL(fileURLWithPath: socketPath).deletingLastPathComponent().appendingPathComponent(AgentSocket.logFileName).path
        self.keys = Mutex(Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { first, _ in first }))
        // Best effort: the pages mapped now (the keys among them) stay out of swap. MCL_FUTURE is
        // not asked for: under RLIMIT_MEMLOCK it would make later allocations fail.
        self.memoryLocked = mlockall(MCL_CURRENT) == 0
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
        self.listener = try AgentSocket.listen(socketPath)
        var info = stat()
        self.socketInode = lstat(socketPath, &info) == 0 ? UInt64(info.st_ino) : 0
        self.deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutSeconds) * 1_000_000_000
    }

    /// Serves until the timeout, a `stop` request or a signal; never returns.
    package func run() -> Never {
        log("started, pid \(getpid()), holding \(keys.withLock { $0.count }) keys, \(secondsLeft()) s until timeout, memory \(memoryLocked ? "locked" : "not locked (mlockall refused)")")
        signal(SIGPIPE, SIG_IGN)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { [self] in shutdown("signal \(number)") }
            source.resume()
            sources.append(source)
        }
        DispatchQueue.main.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: deadline)) { [self] in shutdown("timeout") }
        DispatchQueue.global().async { [self] in acceptLoop() }
        withExtendedLifetime(sources) { dispatchMain() }
    }

    func secondsLeft() -> Int64 {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= deadline ? 0 : Int64((deadline - now) / 1_000_000_000)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE { usleep(100_000); continue }
                shutdown("accept failed: \(String(cString: strerror(errno)))")
            }
            guard let peer = AgentSocket.peer(fd), peer.uid == getuid() else {
                let who = AgentSocket.peer(fd).map { "uid \($0.uid), pid \($0.pid)" } ?? "an unknown peer"
                log("refused a connection from \(who): only uid \(getuid()) may use this agent")
                close(fd)
                continue
            }
            guard connections.add(1, ordering: .relaxed).newValue <= Self.maxConnections else {
                connections.subtract(1, ordering: .relaxed)
                try? AgentSocket.write(fd, AgentProtocol.frame(AgentProtocol.reply(.refused, Array("the agent is serving \(Self.maxConnections) connections; try again".utf8))))
                close(fd)
                continue
            }
            DispatchQueue.global().async { [self] in
                serve(fd)
                close(fd)
                connections.subtract(1, ordering: .relaxed)
            }
        }
    }

    /// Answers up to `maxRequestsPerConnection` requests on one connection.
    private func serve(_ fd: Int32) {
        AgentSocket.setReadTimeout(fd, seconds: AgentSocket.readTimeoutSeconds)
        for _ in 0..<AgentProtocol.maxRequestsPerConnection {
            let payload: [UInt8]
            do {
                guard let read = try AgentSocket.readFrame(fd, maxLength: AgentProtocol.maxRequestBytes) else { return }
                payload = read
            } catch let error as AgentFrameTooLarge {
                log("refused a request of \(error.length) bytes (limit \(error.limit))")
                try? AgentSocket.write(fd, AgentProtocol.frame(AgentProtocol.reply(.refused, Array("a request of \(error.length) bytes is over the limit of \(error.limit) bytes".utf8))))
                return
            } catch {
                return
            }
            let (reply, stop) = answer(payload)
            if stop {
                removeSocket()
                try? AgentSocket.write(fd, AgentProtocol.frame(reply))
                shutdown("agent stop")
            }
            do { try AgentSocket.write(fd, AgentProtocol.frame(reply)) } catch { return }
        }
    }

    /// The reply to one request payload, and whether the agent stops after sending it.
    func answer(_ payload: [UInt8]) -> (reply: [UInt8], stop: Bool) {
        func refuse(_ text: String) -> (reply: [UInt8], stop: Bool) { (AgentProtocol.reply(.refused, Array(text.utf8)), false) }
        guard payload.count >= 2 else { return refuse("a request of \(payload.count) bytes is too short") }
        guard payload[0] == AgentProtocol.version else {
            return refuse("protocol version \(payload[0]) is not spoken here (this agent speaks \(AgentProtocol.version))")
        }
        switch AgentProtocol.Operation(rawValue: payload[1]) {
        case .list:
            let held = keys.withLock { $0.values.map { AgentStatus.HeldKey(keyID: $0.keyID, role: $0.role, gun: $0.gun) } }
            let status = AgentStatus(pid: getpid(), secondsLeft: secondsLeft(), keys: held.sorted { ($0.role, $0.gun ?? "", $0.keyID) < ($1.role, $1.gun ?? "", $1.keyID) })
            guard let document = try? JSONEncoder().encode(status) else { return refuse("the status could not be encoded") }
            return (AgentProtocol.reply(.ok, Array(document)), false)
        case .sign:
            guard payload.count >= 3, payload.count >= 3 + Int(payload[2]) else { return refuse("a sign request without a whole key ID") }
            let idEnd = 3 + Int(payload[2])
            let keyID = String(decoding: payload[3..<idEnd], as: UTF8.self)
            let message = Array(payload[idEnd...])
            guard message.count <= AgentProtocol.maxMessageBytes else {
                return refuse("a message of \(message.count) bytes is over the limit of \(AgentProtocol.maxMessageBytes) bytes")
            }
            guard let key = keys.withLock({ $0[keyID] }) else {
                return refuse("this agent holds no key \(keyID.prefix(64))")
            }
            do {
                let (method, value) = try key.privateKey.signature(for: message)
                return (AgentProtocol.signReply(method: method.rawValue, signature: value), false)
            } catch {
                return refuse("signing with key \(keyID) failed")
            }
        case .stop:
            return (AgentProtocol.reply(.ok), true)
        case nil:
            return refuse("unknown operation \(payload[1])")
        }
    }

    /// Removes the socket file if it is still the one this agent bound.
    private func removeSocket() {
        var info = stat()
        if lstat(socketPath, &info) == 0, UInt64(info.st_ino) == socketInode { unlink(socketPath) }
    }

    /// Removes the socket, drops the keys and exits 0.
    private func shutdown(_ reason: String) -> Never {
        removeSocket()
        keys.withLock { $0.removeAll() }
        log("stopped: \(reason)")
        exit(0)
    }

    /// One line in `private/agent.log` (0600), with the time.
    func log(_ text: String) {
        let line = "\(TUFTime(Date.now)) signet agent: \(text)\n"
        let fd = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        SystemFile.writeAll(Array(line.utf8), to: fd)
        close(fd)
    }
}
