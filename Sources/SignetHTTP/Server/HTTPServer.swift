import FoundationEssentials
import Glibc
import Logging
import SignetSupport

/// An HTTP/1.1 server (RFC 9112) on blocking Glibc sockets: one accept thread, one thread per
/// connection (capped at `maxConnections`), and one watchdog thread enforcing whole-request deadlines.
///
/// The handler runs on the connection's thread and may block (file store, signing). See
/// `docs/http-server.md` for why this model was chosen over epoll or Swift concurrency.
///
/// Lifecycle: `init` → `start()` (binds, listens, returns) → `shutdown(gracePeriod:)` (stops accepting,
/// closes idle keep-alive connections, waits for in-flight requests) → `waitUntilShutdown()` returns.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked Sendable: every mutable stored property below is read and written only while holding
    // `state`; `configuration`, `logger` and `handler` are immutable.

    public let configuration: HTTPServerConfiguration
    let logger: Logger
    let handler: @Sendable (HTTPRequest) -> HTTPResponse

    enum Lifecycle { case created, running, draining, stopped }

    /// Guards everything below and is signalled whenever a connection ends or the lifecycle changes.
    let state = Condition()
    var lifecycle = Lifecycle.created
    private var listenFD: Int32 = -1
    private var port = 0
    private var acceptThreadRunning = false
    var connections: [Int: ConnectionEntry] = [:]
    private var nextConnectionID = 0
    private var lastCapacityWarning = -Double.infinity
    private var rejectedSinceWarning = 0

    /// - Parameters:
    ///   - configuration: address, TLS and limits.
    ///   - logger: receives one `info` access line per request and warnings (capacity, accept errors).
    ///   - handler: turns a request into a response; called concurrently from connection threads.
    public init(configuration: HTTPServerConfiguration, logger: Logger, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.configuration = configuration
        self.logger = logger
        self.handler = handler
    }

    /// The port actually bound, valid after `start()` (useful with port 0); 0 before.
    public var boundPort: Int {
        state.lock()
        defer { state.unlock() }
        return port
    }

    /// Connections registered now (served, or closing after a cut); for tests and diagnostics.
    var connectionCount: Int {
        state.lock()
        defer { state.unlock() }
        return connections.count
    }

    /// Binds (with `SO_REUSEADDR`, deliberately not `SO_REUSEPORT`, so a second server on the same port
    /// fails loudly), listens, and starts the accept and watchdog threads. Returns once listening.
    /// Also sets `SIGPIPE` to ignored, since TLS writes cannot pass `MSG_NOSIGNAL`.
    ///
    /// - Throws: `HTTPError(.bind)` naming `host:port` and the errno text when the address cannot be
    ///   resolved, bound or listened on, or when the server was already started.
    public func start() throws {
        state.lock()
        defer { state.unlock() }
        guard lifecycle == .created else { throw HTTPError(.bind, "server already started") }
        signal(SIGPIPE, SIG_IGN)

        let host = configuration.host
        let where_ = host.contains(":") ? "[\(host)]:\(configuration.port)" : "\(host):\(configuration.port)"
        let addresses = try Socket.resolve(host: host, port: configuration.port, passive: true).get()
        var lastError = "no usable address"
        for candidate in addresses {
            let fd = socket(candidate.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_TCP))
            guard fd >= 0 else { lastError = errnoDescription(errno); continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound = candidate.address.withUnsafeBytes {
                bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if bound != 0 || listen(fd, 511) != 0 {
                lastError = errnoDescription(errno)
                close(fd)
                continue
            }
            listenFD = fd
            break
        }
        guard listenFD >= 0 else { throw HTTPError(.bind, "cannot listen on \(where_): \(lastError)") }
        port = Socket.localPort(listenFD)
        lifecycle = .running
        acceptThreadRunning = true

        let accepting = SystemThread.detach(name: "http-accept", stackSize: 256 * 1024) { [self] in acceptLoop() }
        let watching = SystemThread.detach(name: "http-watchdog", stackSize: 256 * 1024) { [self] in watchdogLoop() }
        precondition(accepting && watching, "cannot start the HTTP server's threads")
        logger.info("listening", metadata: ["address": "\(host):\(port)", "tls": "\(configuration.tls != nil)"])
    }

    /// Stops the server gracefully and returns when it has stopped:
    /// 1. stops accepting (the listening socket is shut down, so new connects are refused);
    /// 2. closes keep-alive connections that are idle between requests (and ones still in a TLS handshake);
    /// 3. lets requests in progress finish — each is answered with `Connection: close` — for up to
    ///    `gracePeriod` seconds;
    /// 4. then cuts the remaining connections and waits up to one more second for their threads.
    ///
    /// A handler still running after that cannot be interrupted: its thread finishes on its own and its
    /// write fails. Calling `shutdown` again (or concurrently) waits for the first call to finish.
    public func shutdown(gracePeriod: Double = 10) {
        state.lock()
        defer { state.unlock() }
        switch lifecycle {
        case .created:
            lifecycle = .stopped
            state.broadcast()
            return
        case .draining, .stopped:
            while lifecycle != .stopped { state.wait() }
            return
        case .running:
            break
        }
        lifecycle = .draining
        state.broadcast()
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))  // wakes the blocked accept()
        for entry in connections.values where !entry.cut && (entry.phase == .idle || entry.phase == .handshake) {
            entry.cut = true
            Glibc.shutdown(entry.fd, Int32(SHUT_RD))
        }
        let inFlight = connections.count
        if inFlight > 0 { logger.info("shutting down", metadata: ["in_flight": "\(inFlight)", "grace_s": "\(gracePeriod)"]) }

        let graceEnd = Date(timeIntervalSinceNow: max(0, gracePeriod))
        while !(connections.isEmpty && !acceptThreadRunning), Date() < graceEnd {
            _ = state.wait(until: min(graceEnd, Date(timeIntervalSinceNow: 0.5)))
        }
        if !connections.isEmpty {
            logger.warning("grace period over; closing connections", metadata: ["remaining": "\(connections.count)"])
            for entry in connections.values {
                entry.cut = true
                Glibc.shutdown(entry.fd, Int32(SHUT_RDWR))
            }
            let hardEnd = Date(timeIntervalSinceNow: 1)
            while !(connections.isEmpty && !acceptThreadRunning), Date() < hardEnd {
                _ = state.wait(until: hardEnd)
            }
        }
        if !acceptThreadRunning {
            close(listenFD)
            listenFD = -1
        }
        lifecycle = .stopped
        state.broadcast()
        logger.info("stopped")
    }

    /// Blocks the calling thread until `shutdown` has completed (returns at once if it already has).
    public func waitUntilShutdown() {
        state.lock()
        defer { state.unlock() }
        while lifecycle != .stopped { state.wait() }
    }

    // MARK: - Accept loop

    private func acceptLoop() {
        defer {
            state.lock()
            acceptThreadRunning = false
            if lifecycle == .stopped, listenFD >= 0 {  // shutdown gave up waiting for us; close now
                close(listenFD)
                listenFD = -1
            }
            state.broadcast()
            state.unlock()
        }
        state.lock()
        let fd = listenFD
        state.unlock()
        while true {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(fd, $0, &length) }
            }
            if client < 0 {
                let code = errno
                state.lock()
                let running = lifecycle == .running
                state.unlock()
                if !running { return }
                switch code {
                case EINTR, ECONNABORTED, EPROTO:
                    continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("accept failed; backing off", metadata: ["error": "\(errnoDescription(code))"])
                    usleep(50_000)
                default:
                    logger.error("accept failed", metadata: ["error": "\(errnoDescription(code))"])
                    usleep(10_000)
                }
                continue
            }
            Socket.setCloseOnExec(client)
            let remote = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Socket.describe($0, length: length) }
            }

            state.lock()
            guard lifecycle == .running else {
                state.unlock()
                close(client)
                return
            }
            let evicted = connections.count < configuration.maxConnections ? nil : makeRoom()
            guard evicted != false else {
                let warn = noteCapacityRejection()
                state.unlock()
                if let warn { logger.warning("connection limit reached; rejecting", metadata: ["limit": "\(configuration.maxConnections)", "rejected": "\(warn)"]) }
                rejectAtCapacity(client)
                continue
            }
            let id = nextConnectionID
            nextConnectionID += 1
            let entry = ConnectionEntry(fd: client, since: monotonicSeconds())
            connections[id] = entry
            state.unlock()
            if evicted == true { logger.debug("connection limit reached; closed the longest-waiting connection without a request", metadata: ["limit": "\(configuration.maxConnections)"]) }

            let started = SystemThread.detach(stackSize: 512 * 1024) { [self] in
                serveConnection(entry, remote: remote)
                state.lock()
                connections[id] = nil
                state.broadcast()
                state.unlock()
            }
            if !started {
                state.lock()
                connections[id] = nil
                state.broadcast()
                state.unlock()
                close(client)
                logger.error("cannot start a connection thread; connection closed", metadata: ["remote": "\(remote)"])
            }
        }
    }

    /// At the cap: whether a new connection may be admitted. `false`: no (answer 503). `true`: yes,
    /// after cutting a connection that was waiting. `nil`: yes, without cutting, because connections
    /// already cut are only closing.
    ///
    /// The victim is the oldest connection that has not sent a complete request head yet (TLS
    /// handshake, no first byte, a partial head) and never completed a request; failing that, the
    /// keep-alive connection waiting longest for its next request head. A connection whose request
    /// head is complete (body, handler, response) is never cut. Threads of cut connections end within
    /// moments; at most twice `maxConnections` are registered at once. Call with `state` held (the fd
    /// is shut down under it, as the watchdog does, so it cannot have been reused).
    private func makeRoom() -> Bool? {
        guard connections.count < 2 * configuration.maxConnections else { return false }
        func rank(_ entry: ConnectionEntry) -> (Int, Double) { (entry.requestsServed == 0 ? 0 : 1, entry.waitingSince) }
        var live = 0
        var victim: ConnectionEntry?
        for entry in connections.values where !entry.cut {
            live += 1
            guard entry.isWaitingForRequest else { continue }
            if victim == nil || rank(entry) < rank(victim!) { victim = entry }
        }
        if live < configuration.maxConnections { return nil }
        guard let victim else { return false }
        victim.cut = true
        Glibc.shutdown(victim.fd, Int32(SHUT_RDWR))
        return true
    }

    /// Counts a rejection; returns how many were rejected since the last warning when one is due (at most
    /// one warning per 10 s). Call with `state` held.
    private func noteCapacityRejection() -> Int? {
        rejectedSinceWarning += 1
        let now = monotonicSeconds()
        guard now - lastCapacityWarning >= 10 else { return nil }
        lastCapacityWarning = now
        defer { rejectedSinceWarning = 0 }
        return rejectedSinceWarning
    }

    /// Over the connection cap: answer 503 on plain HTTP without blocking the accept thread (a fresh
    /// socket's send buffer is empty); on TLS just close, since a handshake would block it.
    private func rejectAtCapacity(_ fd: Int32) {
        if configuration.tls == nil {
            let response = Array("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\nDate: \(HTTPDate.now())\r\n\r\n".utf8)
            _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
            Glibc.shutdown(fd, Int32(SHUT_WR))
        }
        close(fd)
    }

    // MARK: - Watchdog

    /// Cuts connections whose phase deadline passed: `SHUT_RD` while reading (the connection thread then
    /// answers 408 or closes quietly), `SHUT_RDWR` while writing. Holding `state` while calling
    /// `shutdown(fd)` is what makes this safe: a connection removes its entry under the same lock before
    /// closing its fd, so the fd cannot have been reused.
    private func watchdogLoop() {
        let smallest = min(configuration.readTimeout, configuration.idleTimeout, configuration.writeTimeout, configuration.firstByteTimeout)
        let interval = min(1.0, max(0.05, smallest / 4))
        state.lock()
        defer { state.unlock() }
        while lifecycle != .stopped {
            let now = monotonicSeconds()
            for entry in connections.values where !entry.cut {
                guard let deadline = entry.deadline, now >= deadline else { continue }
                entry.cut = true
                entry.timedOut = true
                Glibc.shutdown(entry.fd, Int32(entry.phase == .writing ? SHUT_RDWR : SHUT_RD))
            }
            _ = state.wait(until: Date(timeIntervalSinceNow: interval))
        }
    }
}

/// Per-connection state shared between its thread, the watchdog and `shutdown`; every field is read
/// and written with `HTTPServer.state` held.
final class ConnectionEntry: @unchecked Sendable {
    /// `readingHead` until the request head is complete, then `readingBody` (even for no body).
    enum Phase { case handshake, idle, readingHead, readingBody, handling, writing }

    let fd: Int32
    var phase = Phase.handshake
    /// Monotonic time by which the current phase must end; nil while the handler runs.
    var deadline: Double?
    /// The fd was shut down (deadline, server shutdown, or room made at the cap); the connection must end.
    var cut = false
    /// The cut came from a passed deadline (rather than shutdown).
    var timedOut = false
    /// Requests answered on this connection.
    var requestsServed = 0
    /// Monotonic time since which the connection has been waiting for a request head: its accept,
    /// or the end of its last response.
    var waitingSince: Double

    init(fd: Int32, since: Double) {
        self.fd = fd
        waitingSince = since
    }

    /// Between requests, or before the first: no request head is complete, nothing is in flight.
    var isWaitingForRequest: Bool { phase == .handshake || phase == .idle || phase == .readingHead }
}
