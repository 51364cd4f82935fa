import FoundationEssentials
import Glibc
import Synchronization

/// The client side of the signing agent (docs/signing-agent.md): one connection to
/// `<trust dir>/private/agent.sock`, opened on first use and reused, whose peer must run under
/// this process's uid (`SO_PEERCRED`). It asks for signatures; it never receives a key.
///
/// `SIGNET_AGENT=off` in the environment turns the agent off for a command
/// (`forTrustDirectory` returns nil), so every key is unlocked from its file as without an agent.
package final class AgentClient: Sendable {
    /// The socket's path.
    package let socketPath: String

    private struct State {
        var fd: Int32 = -1
        var requests = 0
        /// The agent's answer to `list`, asked once: nil until asked; `.success(nil)` when no
        /// agent runs.
        var status: Result<AgentStatus?, ClientError>?
    }
    private let state = Mutex(State())

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// The agent client for `directory`'s socket, or nil when `environment["SIGNET_AGENT"]` is
    /// `off` (also `0`, `false`, `no`).
    package static func forTrustDirectory(_ directory: TrustDirectory, environment: [String: String]) -> AgentClient? {
        if let value = environment["SIGNET_AGENT"]?.lowercased(), ["off", "0", "false", "no"].contains(value) { return nil }
        return AgentClient(socketPath: AgentSocket.path(in: directory))
    }

    /// What the agent holds, asked once per client.
    /// - Returns: nil when no agent runs (no socket file, or a stale one nothing listens on).
    /// - Throws: `ClientError` naming the socket when an agent is there but cannot be used (its
    ///   peer is another uid, it does not answer, it answers garbage).
    package func status() throws -> AgentStatus? {
        try state.withLock { state in
            if let cached = state.status { return try cached.get() }
            let result: Result<AgentStatus?, ClientError>
            do {
                if let reply = try exchange(&state, AgentProtocol.request(.list), connectIfAbsent: true) {
                    guard let status = try? JSONDecoder().decode(AgentStatus.self, from: Data(reply)) else {
                        throw ClientError(.io, "the signing agent at \(socketPath) sent a status that does not parse")
                    }
                    result = .success(status)
                } else {
                    result = .success(nil)
                }
            } catch let error as ClientError {
                result = .failure(error)
            }
            state.status = result
            return try result.get()
        }
    }

    /// The canonical key IDs the agent holds; empty when no agent runs.
    /// - Throws: as `status()`.
    package func heldKeyIDs() throws -> Set<String> {
        Set(try status()?.keys.map(\.keyID) ?? [])
    }

    /// Asks the agent to sign `message` with key `keyID`.
    /// - Returns: the method name the agent gives and the signature bytes, unchecked (`AgentSigner`
    ///   verifies them before they are used).
    /// - Throws: `ClientError(.key)` when the agent refuses; `ClientError(.io)` naming the socket
    ///   when it cannot be reached, goes away or answers garbage.
    package func sign(keyID: String, message: [UInt8]) throws -> (method: String, value: [UInt8]) {
        let request = try AgentProtocol.signRequest(keyID: keyID, message: message)
        let reply = try state.withLock { state in
            try exchange(&state, request, connectIfAbsent: true)
        }
        guard let reply else { throw ClientError(.io, "the signing agent at \(socketPath) is gone (it stopped or timed out)") }
        guard let length = reply.first, reply.count >= 1 + Int(length) else {
            throw ClientError(.io, "the signing agent at \(socketPath) sent a malformed signature reply")
        }
        let method = String(decoding: reply[1..<(1 + Int(length))], as: UTF8.self)
        return (method, Array(reply[(1 + Int(length))...]))
    }

    /// Asks the agent to stop; it removes its socket before it answers.
    /// - Returns: false when no agent runs.
    package func stop() throws -> Bool {
        try state.withLock { state in
            try exchange(&state, AgentProtocol.request(.stop), connectIfAbsent: true) != nil
        }
    }

    /// Sends one request and reads its reply body.
    /// - Returns: nil when there is no agent to connect to.
    private func exchange(_ state: inout State, _ request: [UInt8], connectIfAbsent: Bool) throws -> [UInt8]? {
        if state.fd >= 0 && state.requests >= AgentProtocol.maxRequestsPerConnection {
            close(state.fd)
            state.fd = -1
        }
        if state.fd < 0 {
            guard let fd = try AgentSocket.connect(socketPath) else { return nil }
            guard let peer = AgentSocket.peer(fd), peer.uid == getuid() else {
                close(fd)
                throw ClientError(.io, "the signing agent socket \(socketPath) is served by another user's process; it was not used")
            }
            AgentSocket.setReadTimeout(fd, seconds: AgentSocket.readTimeoutSeconds)
            state.fd = fd
            state.requests = 0
        }
        state.requests += 1
        let payload: [UInt8]?
        do {
            try AgentSocket.write(state.fd, AgentProtocol.frame(request))
            payload = try AgentSocket.readFrame(state.fd, maxLength: AgentProtocol.maxReplyBytes)
        } catch let error as ClientError {
            close(state.fd)
            state.fd = -1
            throw ClientError(.io, "the signing agent at \(socketPath) failed: \(error.message)")
        } catch {
            close(state.fd)
            state.fd = -1
            throw ClientError(.io, "the signing agent at \(socketPath) sent a reply over \(AgentProtocol.maxReplyBytes) bytes")
        }
        guard let payload else {
            close(state.fd)
            state.fd = -1
            throw ClientError(.io, "the signing agent at \(socketPath) closed the connection without answering")
        }
        guard payload.count >= 2, payload[0] == AgentProtocol.version else {
            throw ClientError(.io, "the signing agent at \(socketPath) answered in an unknown protocol version")
        }
        let body = Array(payload[2...])
        guard payload[1] == AgentProtocol.Status.ok.rawValue else {
            throw ClientError(.key, "the signing agent at \(socketPath) refused: \(String(decoding: body.prefix(500), as: UTF8.self))")
        }
        return body
    }
}
