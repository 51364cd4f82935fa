import Glibc
import Logging
import SignetCrypto
import SignetSupport

extension HTTPServer {
    /// Serves one accepted connection until it closes; runs on the connection's own thread.
    func serveConnection(_ entry: ConnectionEntry, remote: String) {
        let fd = entry.fd
        let kernelTimeout = max(configuration.readTimeout, configuration.idleTimeout) + 1
        Socket.setTimeout(fd, SO_RCVTIMEO, seconds: kernelTimeout)  // backstop; the watchdog is exact
        Socket.setTimeout(fd, SO_SNDTIMEO, seconds: configuration.writeTimeout)
        Socket.setNoDelay(fd)

        let transport: Transport
        var peerSubject: String?
        if let tls = configuration.tls {
            // The first byte within firstByteTimeout; a plain-HTTP request gets a plain answer.
            _ = enter(entry, .handshake, deadline: monotonicSeconds() + configuration.firstByteTimeout)
            var first: UInt8 = 0
            var peeked = -1
            repeat { peeked = recv(fd, &first, 1, Int32(MSG_PEEK)) } while peeked < 0 && errno == EINTR
            guard peeked == 1 else {
                finish(entry, closing: { close(fd) })
                return
            }
            if PlainHTTPOnTLSPort.isPlainRequest(firstByte: first) {
                answerPlainRequestOnTLSPort(entry, remote: remote)
                return
            }
            guard enter(entry, .handshake, deadline: monotonicSeconds() + configuration.readTimeout) else {
                finish(entry, closing: { close(fd) })
                return
            }
            do {
                let connection = try TLSConnection(accepting: fd, context: tls)
                transport = TLSTransport(fd: fd, connection: connection)
                peerSubject = connection.peerCertificate?.subjectDescription
            } catch {
                logger.debug("TLS handshake failed", metadata: ["remote": "\(remote)", "error": "\(error)"])
                finish(entry, closing: { close(fd) })
                return
            }
        } else {
            transport = PlainTransport(fd: fd)
        }
        let reader = BufferedReader(transport: transport)
        var lingerOnClose = false
        defer { finish(entry, closing: { if lingerOnClose { self.lingeringClose(reader) } else { transport.close() } }) }

        var firstRequest = true
        while true {
            // Wait for the next request (the first one gets firstByteTimeout, later ones idleTimeout).
            if reader.available == 0 {
                let wait = firstRequest ? configuration.firstByteTimeout : configuration.idleTimeout
                guard enter(entry, .idle, deadline: monotonicSeconds() + wait) else { return }
                do {
                    guard try reader.fill() else { return }
                } catch {
                    return
                }
            }
            firstRequest = false
            let started = monotonicSeconds()
            guard enter(entry, .readingHead, deadline: started + configuration.readTimeout) else { return }

            let request: HTTPRequest
            var keepAlive: Bool
            do {
                (request, keepAlive) = try readRequest(reader, entry, remote: remote, peerSubject: peerSubject)
            } catch {
                let status: Int
                let rejection = error as? RequestRejection
                if wasTimedOut(entry) {
                    status = 408
                } else if let rejection, rejection.status != 0 {
                    status = rejection.status
                } else {
                    return  // peer went away mid-request, or a transport error: nothing to answer
                }
                respondAndClose(reader, entry, status: status, method: rejection?.method ?? "-", path: rejection?.path ?? "-", started: started, remote: remote)
                lingerOnClose = configuration.tls == nil
                return
            }

            _ = enter(entry, .handling, deadline: nil)
            let response = handler(request)
            if !enter(entry, .writing, deadline: nil) { keepAlive = false }  // draining: last request
            if response.headers.hasToken("close", in: "Connection") { keepAlive = false }
            let bytesWritten = write(response, for: request, keepAlive: keepAlive, transport: transport, entry: entry)
            logAccess(method: request.method, path: request.path, status: response.status, bytes: bytesWritten ?? 0, started: started, remote: remote)
            guard bytesWritten != nil, keepAlive else { return }
        }
    }

    /// Moves a connection to `phase` with `deadline` (monotonic seconds). Returns false when the
    /// connection must end instead: it was cut, or the server is draining and the connection would go
    /// idle or start writing (writes still happen; the caller then closes after the response).
    func enter(_ entry: ConnectionEntry, _ phase: ConnectionEntry.Phase, deadline: Double?) -> Bool {
        state.lock()
        defer { state.unlock() }
        if entry.cut { return false }
        if entry.phase == .writing && (phase == .idle || phase == .readingHead) {  // a response was written
            entry.requestsServed += 1
            entry.waitingSince = monotonicSeconds()
        }
        entry.phase = phase
        entry.deadline = deadline
        if lifecycle != .running && (phase == .idle || phase == .writing) { return false }
        return true
    }

    /// The request head has arrived: from now on the request is in flight and never cut to make room.
    private func headComplete(_ entry: ConnectionEntry) {
        state.lock()
        defer { state.unlock() }
        if entry.phase == .readingHead { entry.phase = .readingBody }
    }

    /// A plain-HTTP request on the TLS port (its first byte is a letter, not a ClientHello): answer it
    /// as Go's net/http does, so the client can say "use https://" (`PlainHTTPOnTLSPort`), then close.
    private func answerPlainRequestOnTLSPort(_ entry: ConnectionEntry, remote: String) {
        let started = monotonicSeconds()
        state.lock()
        entry.phase = .writing
        entry.deadline = entry.cut ? nil : started + min(5, configuration.writeTimeout)
        state.unlock()
        let reader = BufferedReader(transport: PlainTransport(fd: entry.fd))
        try? reader.transport.write(PlainHTTPOnTLSPort.serverAnswer)
        logAccess(method: "-", path: "(plain HTTP on the TLS port)", status: 400, bytes: PlainHTTPOnTLSPort.serverAnswer.count, started: started, remote: remote)
        finish(entry, closing: { self.lingeringClose(reader) })
    }

    private func wasTimedOut(_ entry: ConnectionEntry) -> Bool {
        state.lock()
        defer { state.unlock() }
        return entry.timedOut
    }

    /// Clears the deadline (so the watchdog leaves the fd alone) and closes; the caller's thread block
    /// removes the entry from `connections` afterwards.
    private func finish(_ entry: ConnectionEntry, closing: () -> Void) {
        state.lock()
        entry.deadline = nil
        entry.cut = true
        state.unlock()
        closing()
    }

    // MARK: - Reading a request

    /// Why a request was refused before reaching the handler. `status` 0 means: close without answering.
    struct RequestRejection: Error {
        var status: Int
        var method = "-"
        var path = "-"
    }

    /// Reads and validates one request (RFC 9112 §3, §5, §6, RFC 9110 §10.1.1 for `Expect`).
    func readRequest(_ reader: BufferedReader, _ entry: ConnectionEntry, remote: String, peerSubject: String?) throws -> (HTTPRequest, Bool) {
        let headBytes: [UInt8]
        do {
            guard let bytes = try reader.readHead(maxBytes: configuration.maxHeaderBytes) else { throw RequestRejection(status: 0) }
            headBytes = bytes
        } catch let error as HTTPError {
            switch error.code {
            case .tooLarge: throw RequestRejection(status: 431)
            case .malformed: throw RequestRejection(status: 400)
            default: throw error  // closed mid-head, timeout: no answer unless the watchdog cut it
            }
        }
        headComplete(entry)
        guard let head = try? MessageHead.parse(headBytes) else { throw RequestRejection(status: 400) }

        let parts = head.startLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, MessageHead.isToken(parts[0]), !parts[1].isEmpty else { throw RequestRejection(status: 400) }
        let method = String(parts[0])
        let target = String(parts[1])
        let version = parts[2]
        guard version.count == 8, version.hasPrefix("HTTP/"), let major = version.utf8.dropFirst(5).first, let minor = version.utf8.last,
              version.utf8.dropFirst(6).first == UInt8(ascii: "."),
              (0x30...0x39).contains(major), (0x30...0x39).contains(minor)
        else { throw RequestRejection(status: 400, method: method) }
        guard major == UInt8(ascii: "1") else { throw RequestRejection(status: 505, method: method) }
        let isHTTP10 = minor == UInt8(ascii: "0")
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let (path, query) = RequestTarget.parse(target) else {
            throw RequestRejection(status: 400, method: method)
        }
        let headers = head.headers
        let hosts = headers.values(for: "Host")
        guard hosts.count <= 1, isHTTP10 || hosts.count == 1 else { throw RequestRejection(status: 400, method: method, path: path) }

        let framing: BodyFraming
        do {
            framing = try BodyFraming.from(headers: headers, absent: .none)
        } catch let error as HTTPError {
            let status = error == BodyFraming.unsupportedTransferCoding ? 501 : 400
            throw RequestRejection(status: status, method: method, path: path)
        }
        if case .length(let length) = framing, length > configuration.maxBodyBytes {
            throw RequestRejection(status: 413, method: method, path: path)
        }

        let keepAlive = isHTTP10 ? headers.hasToken("keep-alive", in: "Connection") : !headers.hasToken("close", in: "Connection")

        if let expectation = headers["Expect"] {
            guard HTTPHeaders.namesMatch(expectation.trimmingHTTPWhitespace(), "100-continue") else {
                throw RequestRejection(status: 417, method: method, path: path)
            }
            // Ask for the body only if one is coming and the client has not started sending it.
            if !isHTTP10, framing != .none, framing != .length(0), reader.available == 0 {
                try reader.transport.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
            }
        }

        let body: [UInt8]
        do {
            body = try reader.readBody(framing, limit: configuration.maxBodyBytes, maxTrailerBytes: configuration.maxHeaderBytes)
        } catch let error as HTTPError {
            switch error.code {
            case .tooLarge: throw RequestRejection(status: 413, method: method, path: path)
            case .malformed: throw RequestRejection(status: 400, method: method, path: path)
            default: throw RequestRejection(status: 0, method: method, path: path)  // closed, timed out
            }
        }

        let request = HTTPRequest(
            method: method, target: target, path: path, query: query, headers: headers, body: body,
            remoteAddress: remote, peerCertificateSubject: peerSubject, version: isHTTP10 ? "HTTP/1.0" : "HTTP/1.1")
        return (request, keepAlive)
    }

    // MARK: - Writing a response

    /// Writes `response` with the server's own framing headers; returns body bytes written, or nil when
    /// the write failed (the connection must then close).
    private func write(_ response: HTTPResponse, for request: HTTPRequest, keepAlive: Bool, transport: Transport, entry: ConnectionEntry) -> Int? {
        let bodyAllowed = !(response.status < 200 || response.status == 204 || response.status == 304)
        let sendBody = bodyAllowed && request.method != "HEAD"
        let head = Self.serializeHead(
            status: response.status, headers: response.headers,
            contentLength: bodyAllowed ? response.body.count : nil,
            connection: keepAlive ? (request.version == "HTTP/1.0" ? "keep-alive" : nil) : "close")
        let bodyCount = sendBody ? response.body.count : 0
        state.lock()
        if !entry.cut {
            entry.deadline = monotonicSeconds() + configuration.writeTimeout + Double(head.count + bodyCount) / 65536
        }
        state.unlock()
        do {
            if bodyCount == 0 {
                try transport.write(head)
            } else if bodyCount <= 32 * 1024 {
                try transport.write(head + response.body)
            } else {
                try transport.write(head)
                try transport.write(response.body)
            }
            return bodyCount
        } catch {
            logger.debug("response write failed", metadata: ["remote": "\(request.remoteAddress)", "error": "\(error)"])
            return nil
        }
    }

    /// Status line plus headers plus the blank line. Drops handler-set framing headers and any field
    /// whose name is not a token or whose value contains CR, LF or NUL (response splitting).
    static func serializeHead(status: Int, headers: HTTPHeaders, contentLength: Int?, connection: String?) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reasonPhrase(for: status))\r\n"
        var hasDate = false
        for (name, value) in headers {
            if HTTPHeaders.namesMatch(name, "Content-Length") || HTTPHeaders.namesMatch(name, "Transfer-Encoding")
                || HTTPHeaders.namesMatch(name, "Connection") { continue }
            guard MessageHead.isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { continue }
            if HTTPHeaders.namesMatch(name, "Date") { hasDate = true }
            text += "\(name): \(value)\r\n"
        }
        if !hasDate { text += "Date: \(HTTPDate.now())\r\n" }
        if let contentLength { text += "Content-Length: \(contentLength)\r\n" }
        if let connection { text += "Connection: \(connection)\r\n" }
        text += "\r\n"
        return Array(text.utf8)
    }

    /// Answers a refused request with an empty-bodied error status and `Connection: close`.
    private func respondAndClose(_ reader: BufferedReader, _ entry: ConnectionEntry, status: Int, method: String, path: String, started: Double, remote: String) {
        state.lock()
        entry.deadline = entry.cut ? nil : monotonicSeconds() + min(5, configuration.writeTimeout)
        entry.phase = .writing
        state.unlock()
        let head = Self.serializeHead(status: status, headers: [:], contentLength: 0, connection: "close")
        try? reader.transport.write(head)
        logAccess(method: method, path: path, status: status, bytes: 0, started: started, remote: remote)
    }

    /// After an error response on plain HTTP: stop sending, then read and discard what the client is
    /// still sending (briefly, bounded) so that closing does not reset the connection before the client
    /// has read our response (RFC 9112 §9.6).
    func lingeringClose(_ reader: BufferedReader) {
        let fd = reader.transport.fd
        Glibc.shutdown(fd, Int32(SHUT_WR))
        Socket.setTimeout(fd, SO_RCVTIMEO, seconds: 0.5)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 1)
        defer { scratch.deallocate() }
        var discarded = 0
        let end = monotonicSeconds() + 2
        while discarded < 1 << 20, monotonicSeconds() < end {
            let n = recv(fd, scratch.baseAddress, scratch.count, 0)
            if n <= 0 { break }
            discarded += n
        }
        reader.transport.close()
    }

    /// One access-log line per request: method, decoded path (control characters escaped), status,
    /// body bytes, duration in ms, remote address. Never headers, query strings or bodies.
    func logAccess(method: String, path: String, status: Int, bytes: Int, started: Double, remote: String) {
        let milliseconds = (monotonicSeconds() - started) * 1000
        logger.info("request", metadata: [
            "method": "\(Self.printable(method))",
            "path": "\(Self.printable(path))",
            "status": "\(status)",
            "bytes": "\(bytes)",
            "duration_ms": "\((milliseconds * 100).rounded() / 100)",
            "remote": "\(remote)",
        ])
    }

    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        return text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\x" + String($0.value, radix: 16) : String($0) }.joined()
    }
}
