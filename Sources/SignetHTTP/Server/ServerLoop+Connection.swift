import Glibc
import Logging
import SignetCrypto

/// One connection's life on the loop: TLS handshake, reading and parsing requests, handing them to the
/// handler, writing responses, keep-alive, errors and lingering close (docs/http-server.md).
extension ServerLoop {
    /// The connection's fd is ready for what its phase registered.
    func ready(_ connection: ServerConnection) {
        switch connection.phase {
        case .handshake: handshake(connection)
        case .idle, .readingHead, .readingBody:
            if !connection.output.isEmpty { flush(connection) }
            if isOpen(connection) { readRequests(connection) }
        case .writing: flush(connection)
        case .lingering: discard(connection)
        case .handling: break
        }
    }

    // MARK: - TLS handshake

    /// Before the first byte: a letter is plain HTTP on the TLS port (answered as Go's net/http does);
    /// anything else starts the handshake, which then has `readTimeout` to finish.
    private func handshake(_ connection: ServerConnection) {
        guard let context = configuration.tls else { return }
        if connection.tls == nil {
            var first: UInt8 = 0
            let peeked = recv(connection.fd, &first, 1, Int32(MSG_PEEK))
            if peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return }
            guard peeked == 1 else { return close(connection) }
            if PlainHTTPOnTLSPort.isPlainRequest(firstByte: first) { return answerPlainRequestOnTLSPort(connection) }
            do {
                connection.tls = try TLSConnection(acceptingNonBlocking: connection.fd, context: context)
            } catch {
                logger.error("cannot create a TLS session", metadata: ["remote": "\(connection.remote)", "error": "\(error)"])
                return close(connection)
            }
            connection.deadline = monotonicSeconds() + configuration.readTimeout
        }
        let step: TLSConnection.Step
        do {
            step = try connection.tls!.acceptStep()
        } catch {
            logger.debug("TLS handshake failed", metadata: ["remote": "\(connection.remote)", "error": "\(error)"])
            return close(connection)
        }
        switch step {
        case .done:
            connection.handshakeDone = true
            connection.tlsWants = nil
            connection.parser.peerSubject = connection.tls!.peerCertificate?.subjectDescription
            if draining { return close(connection) }
            connection.phase = .idle
            connection.deadline = monotonicSeconds() + configuration.firstByteTimeout  // its first request
            updateInterest(connection)
            if isOpen(connection) { readRequests(connection) }  // the request may have come with the handshake
        case .wantRead, .wantWrite:
            connection.tlsWants = step
            updateInterest(connection)
        case .closed:
            close(connection)
        }
    }

    /// A plain-HTTP request on the TLS port: answer it in plain text (`PlainHTTPOnTLSPort`), then close.
    private func answerPlainRequestOnTLSPort(_ connection: ServerConnection) {
        connection.requestStarted = monotonicSeconds()
        connection.output.append(PlainHTTPOnTLSPort.serverAnswer)
        connection.pendingLog = .init(method: "-", path: "(plain HTTP on the TLS port)", status: 400, bytes: PlainHTTPOnTLSPort.serverAnswer.count)
        startWriting(connection, then: .linger, deadline: min(5, configuration.writeTimeout))
    }

    // MARK: - Reading

    /// Reads what the socket has (at most 16 reads, so one fast sender cannot hold the loop) and parses it.
    private func readRequests(_ connection: ServerConnection) {
        for _ in 0..<16 {
            guard let count = receive(connection) else { return }  // would block (or closed on error)
            if count == 0 {  // the peer closed: nothing to answer, whatever was in progress
                _ = connection.parser.endOfInput()
                return close(connection)
            }
            connection.parser.append(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
            processInput(connection)
            guard isOpen(connection), Self.isReading(connection.phase) else { return }
            // A short plain read emptied the socket: epoll (level-triggered) reports the next bytes,
            // so no second recv just to see EAGAIN. (A TLS read returns one record, which says
            // nothing about what is left.)
            if connection.tls == nil && count < scratch.count { return }
        }
    }

    private static func isReading(_ phase: ServerConnection.Phase) -> Bool {
        phase == .idle || phase == .readingHead || phase == .readingBody
    }

    /// One read into `scratch`: the count (0 at end of stream), or nil when it would block (the interest
    /// is updated) or failed (the connection is closed).
    private func receive(_ connection: ServerConnection) -> Int? {
        if let tls = connection.tls {
            do {
                let step = try tls.readStep(into: scratch)
                switch step {
                case .done(let count):
                    if connection.tlsWants != nil {
                        connection.tlsWants = nil
                        updateInterest(connection)
                    }
                    return count
                case .closed: return 0
                case .wantRead, .wantWrite:
                    connection.tlsWants = step == .wantWrite ? .wantWrite : nil
                    updateInterest(connection)
                    return nil
                }
            } catch {
                logger.debug("TLS read failed", metadata: ["remote": "\(connection.remote)", "error": "\(error)"])
                close(connection)
                return nil
            }
        }
        while true {
            let count = recv(connection.fd, scratch.baseAddress, scratch.count, 0)
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return nil
            default:
                close(connection)
                return nil
            }
        }
    }

    /// Parses the buffered bytes: moves the phase along, sends `100 Continue` when due, and hands a
    /// complete request on, or answers a refused one.
    func processInput(_ connection: ServerConnection) {
        guard Self.isReading(connection.phase) else { return }
        let now = turnTime
        if connection.phase == .idle && !connection.parser.isEmpty {
            connection.phase = .readingHead
            connection.requestStarted = now
            connection.deadline = now + configuration.readTimeout  // for the whole request, not per read
        }
        switch connection.parser.next(memo: headMemo) {
        case .needMore:
            if connection.parser.headComplete { connection.phase = .readingBody }
            if connection.parser.continueDue {
                connection.parser.continueDue = false
                connection.output.append(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                flush(connection)
            }
        case .request(let request, let keepAlive):
            dispatch(connection, request, keepAlive: keepAlive)
        case .rejected(let rejection):
            guard rejection.status != 0 else { return close(connection) }
            respondAndClose(connection, status: rejection.status, method: rejection.method, path: rejection.path, linger: configuration.tls == nil)
        case .failed:
            close(connection)
        }
    }

    // MARK: - Handling

    /// Runs the cached responder in the loop, or queues the handler on the worker pool.
    private func dispatch(_ connection: ServerConnection, _ request: HTTPRequest, keepAlive: Bool) {
        connection.phase = .handling
        connection.deadline = nil
        connection.keepAlive = keepAlive
        connection.isHTTP10 = request.version == "HTTP/1.0"
        connection.requestMethod = request.method
        connection.requestPath = request.path
        // Answered at once: the fd stays registered for reading, as it will be again after the
        // response (no epoll_ctl to take it out and put it back per request).
        if let cached = server.cachedResponder?(request) { return respond(connection, cached) }
        updateInterest(connection)
        let token = connection.token
        let handler = server.handler
        pool.submit { [self] in post(token, handler(request)) }
    }

    /// Queues `response` with the server's own framing headers and starts writing it. On plain HTTP
    /// the head and the body go out in one `sendmsg` (gathered, not copied together); over TLS a body
    /// of at most 32 KiB is copied behind the head so that both go in one record.
    func respond(_ connection: ServerConnection, _ response: HTTPResponse) {
        guard isOpen(connection) else { return }
        let keepAlive = connection.keepAlive && !draining && !response.headers.hasToken("close", in: "Connection")
        let bodyAllowed = !(response.status < 200 || response.status == 204 || response.status == 304)
        let bodyCount = bodyAllowed && connection.requestMethod != "HEAD" ? response.body.count : 0
        let head = ResponseHead.serialize(
            response.preparedHead ?? ResponseHead(status: response.status, headers: response.headers),
            contentLength: bodyAllowed ? response.body.count : nil,
            connection: keepAlive ? (connection.isHTTP10 ? "keep-alive" : nil) : "close", dateLine: date.line())
        if bodyCount == 0 {
            connection.output.append(head)
        } else if connection.tls != nil && bodyCount <= 32 * 1024 {
            connection.output.append(head + response.body)
        } else {
            connection.output.append(head)
            connection.output.append(response.body)
        }
        connection.pendingLog = .init(method: connection.requestMethod, path: connection.requestPath, status: response.status, bytes: bodyCount)
        startWriting(connection, then: keepAlive ? .keepAlive : .close,
                     deadline: configuration.writeTimeout + Double(head.count + bodyCount) / 65536)
    }

    /// Answers a refused request with an empty-bodied error status and `Connection: close`; on plain
    /// HTTP with a lingering close (`linger`).
    func respondAndClose(_ connection: ServerConnection, status: Int, method: String, path: String, linger: Bool) {
        if connection.phase == .idle { connection.requestStarted = monotonicSeconds() }
        connection.output.append(ResponseHead.serialize(ResponseHead(status: status, headers: [:]), contentLength: 0, connection: "close", dateLine: date.line()))
        connection.pendingLog = .init(method: method, path: path, status: status, bytes: 0)
        startWriting(connection, then: linger ? .linger : .close, deadline: min(5, configuration.writeTimeout))
    }

    // MARK: - Writing

    private func startWriting(_ connection: ServerConnection, then after: ServerConnection.AfterWrite, deadline seconds: Double) {
        connection.phase = .writing
        connection.afterWrite = after
        connection.deadline = turnTime + seconds
        connection.tlsWants = nil
        flush(connection)
    }

    /// Writes queued output until done or the socket is full; then goes on as `afterWrite` says.
    private func flush(_ connection: ServerConnection) {
        var failed = false
        var blocked: TLSConnection.Step?
        if connection.tls == nil {
            let done = connection.output.drainGathering { vectors in
                var message = msghdr()
                message.msg_iov = UnsafeMutablePointer(mutating: vectors.baseAddress)
                message.msg_iovlen = vectors.count
                while true {
                    let count = sendmsg(connection.fd, &message, Int32(MSG_NOSIGNAL))
                    if count >= 0 { return count }
                    switch errno {
                    case EINTR: continue
                    case EAGAIN, EWOULDBLOCK: blocked = .wantWrite
                    default:
                        logger.debug("response write failed", metadata: ["remote": "\(connection.remote)", "error": "\(errnoDescription(errno))"])
                        failed = true
                    }
                    return nil
                }
            }
            return flushed(connection, done: done, failed: failed, blocked: blocked)
        }
        let done = connection.output.drain { bytes in
            if let tls = connection.tls, connection.handshakeDone {
                do {
                    let step = try tls.writeStep(bytes)
                    if case .done(let count) = step { return count }
                    blocked = step
                } catch {
                    logger.debug("response write failed", metadata: ["remote": "\(connection.remote)", "error": "\(error)"])
                    failed = true
                }
                return nil
            }
            while true {
                let count = send(connection.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                if count >= 0 { return count }
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK:
                    blocked = .wantWrite
                default:
                    logger.debug("response write failed", metadata: ["remote": "\(connection.remote)", "error": "\(errnoDescription(errno))"])
                    failed = true
                }
                return nil
            }
        }
        flushed(connection, done: done, failed: failed, blocked: blocked)
    }

    /// After a write attempt: closes on failure, waits for the socket while output is left, or goes on
    /// as `afterWrite` says once all of it is written.
    private func flushed(_ connection: ServerConnection, done: Bool, failed: Bool, blocked: TLSConnection.Step?) {
        if failed {
            if let record = connection.pendingLog { logAccess(record, bytes: 0, connection) }
            return close(connection)
        }
        connection.tlsWants = blocked == .wantRead ? .wantRead : nil
        guard done else { return updateInterest(connection) }
        guard connection.phase == .writing else { return updateInterest(connection) }  // an interim response
        if let record = connection.pendingLog { logAccess(record, bytes: record.bytes, connection) }
        connection.pendingLog = nil
        switch connection.afterWrite {
        case .close: close(connection)
        case .linger: startLingering(connection)
        case .keepAlive:
            connection.requestsServed += 1
            let now = turnTime
            connection.waitingSince = now
            connection.phase = .idle
            connection.deadline = now + configuration.idleTimeout
            updateInterest(connection)
            if isOpen(connection) { processInput(connection) }  // a pipelined request already buffered
        }
    }

    // MARK: - Lingering close

    /// After an error response on plain HTTP: stop sending, then read and discard what the client is
    /// still sending (at most 1 MiB or 2 s) so that closing does not reset the connection before the
    /// client has read the response (RFC 9112 §9.6).
    private func startLingering(_ connection: ServerConnection) {
        Glibc.shutdown(connection.fd, Int32(SHUT_WR))
        connection.phase = .lingering
        connection.deadline = monotonicSeconds() + 2
        updateInterest(connection)
        if isOpen(connection) { discard(connection) }
    }

    private func discard(_ connection: ServerConnection) {
        while connection.discarded < 1 << 20 {
            let count = recv(connection.fd, scratch.baseAddress, scratch.count, 0)
            if count > 0 {
                connection.discarded += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            break  // end of stream or an error
        }
        close(connection)
    }

    // MARK: - Access log

    /// One access-log line per request: method, decoded path (control characters escaped), status,
    /// body bytes, duration in ms, remote address. Never headers, query strings or bodies.
    private func logAccess(_ record: ServerConnection.AccessRecord, bytes: Int, _ connection: ServerConnection) {
        let milliseconds = (monotonicSeconds() - connection.requestStarted) * 1000
        logger.info("request", metadata: [
            "method": "\(Self.printable(record.method))",
            "path": "\(Self.printable(record.path))",
            "status": "\(record.status)",
            "bytes": "\(bytes)",
            "duration_ms": "\((milliseconds * 100).rounded() / 100)",
            "remote": "\(connection.remote)",
        ])
    }

    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\x" + String($0.value, radix: 16) : String($0) }.joined()
    }
}
