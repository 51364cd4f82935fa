import CEpoll
import Glibc
import Logging
import SignetCrypto
import Synchronization

/// The event loop behind `HTTPServer`: one thread owns the listening socket and every connection
/// (`ServerConnection`), waits in `epoll_wait`, accepts, reads and parses, writes, enforces deadlines
/// and the connection limit, and drains on shutdown. Handlers run on the `WorkerPool`; their responses
/// come back through `mailbox` and an eventfd wake-up.
///
/// Every descriptor is closed by this thread, which removes the connection from `connections` at the
/// same moment, so no later `shutdown()`/`close()` can hit a descriptor number the process has reused.
final class ServerLoop: @unchecked Sendable {
    // @unchecked Sendable: handed to the loop thread by `HTTPServer.start()`; after that every stored
    // property is used by that thread only, except `mailbox` (a Mutex) and `poller.wake()`.

    /// Responses handed back by worker threads; `closed` once the loop has stopped (late answers dropped).
    struct Mailbox: ~Copyable {
        var answers: [(token: UInt64, response: HTTPResponse)] = []
        var closed = false
    }

    static let listenToken: UInt64 = 1

    /// Strong: a running server stays alive until its loop has stopped (`loopStopped` breaks the cycle).
    let server: HTTPServer
    let configuration: HTTPServerConfiguration
    let logger: Logger
    let poller: EventPoller
    let pool: WorkerPool
    let mailbox = Mutex(Mailbox())
    let maxConnections: Int
    private var listenFD: Int32
    private var listening = true
    private var acceptPausedUntil: Double?
    var connections: [UInt64: ServerConnection] = [:]
    private var nextToken: UInt64 = 2
    var draining = false
    private var drainDeadline = Double.infinity
    var date = CachedHTTPDate()
    /// Monotonic time when the current turn's events came back from `epoll_wait`: the "now" of request
    /// starts and of deadlines set while handling them (off by at most the turn's duration, well
    /// under the timeouts' whole seconds), read once per turn instead of several times per request.
    var turnTime = monotonicSeconds()
    /// Request heads this loop has validated (`RequestParser.next(memo:)`).
    let headMemo = RequestHeadMemo()
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    private var lastCapacityWarning = -Double.infinity
    private var rejectedSinceWarning = 0
    /// Seconds between deadline checks: `min(1 s, smallest timeout / 4)`, at least 50 ms.
    private let tick: Double

    init(server: HTTPServer, listenFD: Int32, maxConnections: Int) throws {
        self.server = server
        configuration = server.configuration
        logger = server.logger
        self.listenFD = listenFD
        self.maxConnections = maxConnections
        poller = try EventPoller()
        do {
            pool = try WorkerPool(threads: configuration.workerThreads, name: "http-worker")
        } catch {
            poller.close()
            throw error
        }
        let smallest = min(configuration.readTimeout, configuration.idleTimeout, configuration.writeTimeout, configuration.firstByteTimeout)
        tick = min(1.0, max(0.05, smallest / 4))
        guard poller.add(listenFD, token: Self.listenToken, interest: EventPoller.readable) else {
            let error = errnoDescription(errno)
            abandon()
            throw HTTPError(.bind, "epoll_ctl on the listening socket failed: \(error)")
        }
    }

    deinit { scratch.deallocate() }

    /// Undoes `init` when the loop thread could not be started.
    func abandon() {
        pool.stop()
        poller.close()
        Glibc.close(listenFD)
    }

    /// Wakes the loop from another thread (shutdown requested).
    func wake() { poller.wake() }

    /// Hands a worker's response back to the loop; dropped once the loop has stopped.
    func post(_ token: UInt64, _ response: HTTPResponse) {
        mailbox.withLock { box in
            guard !box.closed else { return }
            let wasEmpty = box.answers.isEmpty
            box.answers.append((token, response))
            if wasEmpty { poller.wake() }
        }
    }

    // MARK: - The loop

    func run() {
        var nextCheck = monotonicSeconds() + tick
        while true {
            if !draining, let deadline = server.drainRequested() { beginDrain(until: deadline) }
            if draining {
                if connections.isEmpty { break }
                if monotonicSeconds() >= drainDeadline {
                    logger.warning("grace period over; closing connections", metadata: ["remaining": "\(connections.count)"])
                    for connection in Array(connections.values) { close(connection) }
                    break
                }
            }
            let now = monotonicSeconds()
            let until = min(nextCheck, drainDeadline)
            let milliseconds = Int32(max(0, min(1000, (until - now) * 1000)).rounded(.up))
            var timed = false
            poller.wait(milliseconds: milliseconds) { token, _ in
                if !timed {
                    turnTime = monotonicSeconds()
                    timed = true
                }
                switch token {
                case EventPoller.wakeToken: break
                case Self.listenToken: acceptConnections()
                default: if let connection = connections[token] { ready(connection) }
                }
            }
            if !timed { turnTime = monotonicSeconds() }  // woken with no event, or timed out
            deliverAnswers()
            let after = monotonicSeconds()
            if after >= nextCheck {
                enforceDeadlines(now: after)
                resumeAcceptingIfPaused(now: after)
                nextCheck = after + tick
            }
        }
        pool.stop()
        closeListener()
        server.loopStopped {
            mailbox.withLock { $0.closed = true }
            poller.close()
        }
    }

    private func deliverAnswers() {
        let answers = mailbox.withLock { box in
            defer { box.answers.removeAll() }
            return box.answers
        }
        for (token, response) in answers {
            guard let connection = connections[token], connection.phase == .handling else { continue }
            respond(connection, response)
        }
    }

    /// Shutdown steps 1 and 2 (see `HTTPServer.shutdown`): stop accepting, close connections that have no
    /// request in progress. Requests in progress finish with `Connection: close`.
    private func beginDrain(until deadline: Double) {
        draining = true
        drainDeadline = deadline
        closeListener()
        for connection in Array(connections.values) where connection.phase == .idle || connection.phase == .handshake {
            close(connection)
        }
        if !connections.isEmpty {
            logger.info("shutting down", metadata: ["in_flight": "\(connections.count)", "grace_s": "\(max(0, deadline - monotonicSeconds()))"])
        }
    }

    private func closeListener() {
        guard listenFD >= 0 else { return }
        if listening { poller.remove(listenFD) }
        listening = false
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        Glibc.close(listenFD)
        listenFD = -1
    }

    // MARK: - Accepting

    /// Accepts what the listen queue holds, paced by how busy the loop is: up to 256 when the last
    /// `epoll_wait` reported few events, down to one per wait when it reported a full batch. A loop
    /// that is behind (at 10,000 TLS connections, thousands of handshakes queued) would otherwise
    /// admit connections faster than it can serve them: every accepted handshake joins the round of
    /// handshakes ahead of the ones nearly done, so none completes for many seconds. Paced, the
    /// rest wait in the kernel's listen queue (nginx, accepting one per wait, behaves the same), and
    /// the handshakes already started finish first.
    private func acceptConnections() {
        let budget = max(1, (poller.capacity - poller.batchSize) / 2)
        for _ in 0..<budget {
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &storage) {
                shim_accept4(listenFD, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
            if fd < 0 {
                let code = errno
                switch code {
                case EAGAIN, EWOULDBLOCK: return
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    logger.warning("accept failed; backing off", metadata: ["error": "\(errnoDescription(code))"])
                    pauseAccepting(seconds: 0.05)
                default:
                    logger.error("accept failed", metadata: ["error": "\(errnoDescription(code))"])
                    pauseAccepting(seconds: 0.01)
                }
                return
            }
            let remote = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Socket.describe($0, length: length) }
            }
            admit(fd, remote: remote)
        }
    }

    /// Registers a new connection, first making room at the limit (`makeRoom`); refuses it when every
    /// connection has a request in flight.
    private func admit(_ fd: Int32, remote: String) {
        if connections.count >= maxConnections && !makeRoom() {
            if let rejected = noteCapacityRejection() {
                logger.warning("connection limit reached; rejecting", metadata: ["limit": "\(maxConnections)", "rejected": "\(rejected)"])
            }
            rejectAtCapacity(fd)
            return
        }
        Socket.setNoDelay(fd)
        let now = monotonicSeconds()
        let parser = RequestParser(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes, remote: remote)
        let connection = ServerConnection(token: nextToken, fd: fd, remote: remote, phase: configuration.tls == nil ? .idle : .handshake,
                                          now: now, parser: parser)
        nextToken += 1
        connection.deadline = now + configuration.firstByteTimeout
        connections[connection.token] = connection
        server.openConnections.store(connections.count, ordering: .relaxed)
        updateInterest(connection)
    }

    /// At the limit: closes the connection that has waited longest without a request in flight —
    /// one lingering after an error, then one that never completed a request (no first byte, a TLS
    /// handshake, a partial head), then the keep-alive connection idle longest. A connection whose
    /// request head is complete (body, handler, response) is never closed. False when there is none.
    private func makeRoom() -> Bool {
        func rank(_ connection: ServerConnection) -> (Int, Double) {
            (connection.phase == .lingering ? 0 : connection.requestsServed == 0 ? 1 : 2, connection.waitingSince)
        }
        var victim: ServerConnection?
        for connection in connections.values where connection.isWaitingForRequest {
            if victim == nil || rank(connection) < rank(victim!) { victim = connection }
        }
        guard let victim else { return false }
        logger.debug("connection limit reached; closed the longest-waiting connection without a request", metadata: ["limit": "\(maxConnections)"])
        close(victim)
        return true
    }

    /// Counts a rejection; returns how many were rejected since the last warning when one is due (at most
    /// one warning per 10 s).
    private func noteCapacityRejection() -> Int? {
        rejectedSinceWarning += 1
        let now = monotonicSeconds()
        guard now - lastCapacityWarning >= 10 else { return nil }
        lastCapacityWarning = now
        defer { rejectedSinceWarning = 0 }
        return rejectedSinceWarning
    }

    /// Over the limit with every connection busy: answer 503 on plain HTTP (a fresh socket's send buffer
    /// is empty, so the non-blocking send completes); on TLS just close, as there is no session yet.
    private func rejectAtCapacity(_ fd: Int32) {
        if configuration.tls == nil {
            let response = ResponseHead.serialize(ResponseHead(status: 503, headers: ["Retry-After": "1"]), contentLength: 0,
                                                  connection: "close", dateLine: date.line())
            _ = response.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
            Glibc.shutdown(fd, Int32(SHUT_WR))
        }
        Glibc.close(fd)
    }

    private func pauseAccepting(seconds: Double) {
        guard listening else { return }
        poller.remove(listenFD)
        listening = false
        acceptPausedUntil = monotonicSeconds() + seconds
    }

    private func resumeAcceptingIfPaused(now: Double) {
        guard let until = acceptPausedUntil, now >= until, listenFD >= 0 else { return }
        acceptPausedUntil = nil
        listening = poller.add(listenFD, token: Self.listenToken, interest: EventPoller.readable)
    }

    // MARK: - Deadlines

    /// Closes connections whose phase deadline passed. A request still arriving is answered 408 first.
    private func enforceDeadlines(now: Double) {
        var expired: [ServerConnection] = []
        for connection in connections.values {
            if let deadline = connection.deadline, now >= deadline { expired.append(connection) }
        }
        for connection in expired {
            switch connection.phase {
            case .readingHead, .readingBody:
                let (method, path) = connection.parser.pendingRequestLine ?? ("-", "-")
                respondAndClose(connection, status: 408, method: method, path: path, linger: false)
            case .handshake where connection.tls == nil, .idle:
                // Waiting for the client's first byte (of the handshake, a first request or the next
                // keep-alive request). If that byte has arrived and only the loop has not got to it yet
                // (thousands of handshakes queued ahead of it), the client was not late: it gets the
                // deadline a started request gets instead of being cut (which wrk counted as
                // connect errors at 10,000 TLS connections).
                if Self.hasUnreadByte(connection.fd) {
                    connection.deadline = now + configuration.readTimeout
                } else {
                    close(connection)
                }
            case .handshake, .writing, .lingering, .handling:
                close(connection)
            }
        }
    }

    /// True when the socket has received a byte not read yet (`recv` with `MSG_PEEK`, non-blocking).
    private static func hasUnreadByte(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT)) == 1
    }

    // MARK: - Registration and closing

    /// Registers the events the connection's phase waits for (none while its handler runs, so a peer
    /// that hangs up then cannot make level-triggered epoll spin).
    func updateInterest(_ connection: ServerConnection) {
        var wanted: UInt32
        switch connection.phase {
        case .handling: wanted = 0
        case .writing: wanted = EventPoller.writable
        case .handshake, .idle, .readingHead, .readingBody, .lingering:
            wanted = EventPoller.readable
            if !connection.output.isEmpty { wanted |= EventPoller.writable }  // an interim 100 Continue
        }
        switch connection.tlsWants {
        case .wantRead?: wanted = wanted == 0 ? 0 : EventPoller.readable
        case .wantWrite?: wanted = wanted == 0 ? 0 : EventPoller.writable
        default: break
        }
        guard wanted != connection.interest else { return }
        let registered: Bool
        if wanted == 0 {
            poller.remove(connection.fd)
            registered = true
        } else if connection.interest == 0 {
            registered = poller.add(connection.fd, token: connection.token, interest: wanted)
        } else {
            registered = poller.modify(connection.fd, token: connection.token, interest: wanted)
        }
        guard registered else {
            logger.error("epoll_ctl failed; closing the connection", metadata: ["remote": "\(connection.remote)", "error": "\(errnoDescription(errno))"])
            connection.interest = 0
            close(connection)
            return
        }
        connection.interest = wanted
    }

    /// Closes the connection (close_notify first on an established TLS session) and forgets it.
    func close(_ connection: ServerConnection) {
        guard connections.removeValue(forKey: connection.token) != nil else { return }
        server.openConnections.store(connections.count, ordering: .relaxed)
        if connection.interest != 0 { poller.remove(connection.fd) }
        connection.interest = 0
        if connection.handshakeDone { connection.tls?.shutdown() }
        connection.tls = nil
        Glibc.close(connection.fd)
    }

    func isOpen(_ connection: ServerConnection) -> Bool { connections[connection.token] === connection }
}
