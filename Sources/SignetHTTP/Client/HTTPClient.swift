import Glibc
import SignetCrypto

/// A small blocking HTTP/1.1 client for talking to a trust server (what the `signet` CLI uses).
///
/// Each `send` opens a connection, writes one request with `Connection: close`, reads the response and
/// closes; there is no connection reuse. Safe to call from several threads at once.
public final class HTTPClient: @unchecked Sendable {
    // @unchecked Sendable: all stored properties are immutable after init (TLSClientContext is itself
    // Sendable); `defaultTLS` is created once under `lock`.

    let tls: TLSClientContext?
    let connectTimeout: Double
    let readTimeout: Double
    let maxResponseBytes: Int
    private let lock = Lock()
    private var defaultTLS: TLSClientContext?

    /// - Parameters:
    ///   - tls: the TLS context for `https://` URLs (trust anchors, client certificate). When nil, an
    ///     `https://` request uses a context with the system trust store, created on first use.
    ///   - connectTimeout: seconds allowed to establish the TCP connection, per resolved address.
    ///   - readTimeout: seconds any single read or write may wait (also bounds the TLS handshake).
    ///   - maxResponseBytes: the largest response body accepted (`HTTPError(.tooLarge)` beyond).
    ///
    /// Sets `SIGPIPE` to ignored for the process, since TLS writes cannot suppress it per call.
    public init(tls: TLSClientContext? = nil, connectTimeout: Double = 5, readTimeout: Double = 30, maxResponseBytes: Int = 100 * 1024 * 1024) {
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxResponseBytes = maxResponseBytes
        signal(SIGPIPE, SIG_IGN)
    }

    /// Sends one request and returns the response (any status; a 404 is a response, not an error).
    ///
    /// - Parameters:
    ///   - method: `GET`, `POST`, `HEAD`, … as sent.
    ///   - url: absolute `http://` or `https://` URL; the host may be a name (resolved with getaddrinfo,
    ///     every address tried in order) or an IP literal (`[::1]` for IPv6). The path must already be
    ///     percent-encoded.
    ///   - headers: extra request headers. `Host`, `User-Agent` (`signet`) are added unless given;
    ///     `Content-Length` and `Connection: close` are always set by the client.
    ///   - body: request body bytes (sent with `Content-Length`).
    /// - Returns: the final response; 1xx interim responses (`100 Continue`) are skipped. The body is
    ///   de-chunked; it is framed by `Transfer-Encoding: chunked`, `Content-Length`, or the server closing.
    /// - Throws: `HTTPError` — `.malformed` for a bad URL or an unparseable response, `.connect` when the
    ///   host cannot be resolved or no address accepts a connection within `connectTimeout`, `.tls` when
    ///   the context or handshake fails, `.timeout` when a read or write waits longer than `readTimeout`,
    ///   `.tooLarge` past `maxResponseBytes`, `.io` when the connection breaks.
    public func send(method: String, url: String, headers: HTTPHeaders = .init(), body: [UInt8] = []) throws -> HTTPResponse {
        let target = try RequestURL(url)
        guard MessageHead.isToken(method) else { throw HTTPError(.malformed, "invalid method \(method)") }
        let fd = try connect(target)
        var transport: Transport = PlainTransport(fd: fd)
        if target.isTLS {
            do {
                let context = try tlsContext()
                transport = TLSTransport(fd: fd, connection: try TLSConnection(connecting: fd, context: context, hostname: target.host))
            } catch {
                close(fd)
                if let error = error as? HTTPError { throw error }
                throw HTTPError(.tls, "TLS handshake with \(target.hostHeader) failed: \(error)")
            }
        }
        defer { transport.close() }

        var head = "\(method) \(target.target) HTTP/1.1\r\n"
        if !headers.contains("Host") { head += "Host: \(target.hostHeader)\r\n" }
        if !headers.contains("User-Agent") { head += "User-Agent: signet\r\n" }
        for (name, value) in headers {
            if HTTPHeaders.namesMatch(name, "Content-Length") || HTTPHeaders.namesMatch(name, "Connection")
                || HTTPHeaders.namesMatch(name, "Transfer-Encoding") { continue }
            guard MessageHead.isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw HTTPError(.malformed, "invalid request header \(name)")
            }
            head += "\(name): \(value)\r\n"
        }
        if !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) { head += "Content-Length: \(body.count)\r\n" }
        head += "Connection: close\r\n\r\n"
        do {
            try transport.write(Array(head.utf8) + body)
            return try readResponse(BufferedReader(transport: transport), method: method)
        } catch var error as HTTPError {
            if error.code == .timeout { error.message = "\(target.hostHeader) did not answer within \(readTimeout) s" }
            throw error
        }
    }

    private func tlsContext() throws -> TLSClientContext {
        if let tls { return tls }
        return try lock.withLock {
            if let defaultTLS { return defaultTLS }
            do {
                let context = try TLSClientContext(caFile: nil)
                defaultTLS = context
                return context
            } catch {
                throw HTTPError(.tls, "cannot create a TLS client context: \(error)")
            }
        }
    }

    /// Reads the status line, headers and body of the final response.
    private func readResponse(_ reader: BufferedReader, method: String) throws -> HTTPResponse {
        while true {
            guard let headBytes = try reader.readHead(maxBytes: 64 * 1024) else {
                throw HTTPError(.io, "server closed the connection without a response")
            }
            let head = try MessageHead.parse(headBytes)
            let parts = head.startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].utf8.count == 3, let status = Int(parts[1]) else {
                throw HTTPError(.malformed, "invalid status line")
            }
            if status >= 100 && status < 200 && status != 101 { continue }  // interim response
            let noBody = method == "HEAD" || status < 200 || status == 204 || status == 304
            let framing = noBody ? BodyFraming.none : try BodyFraming.from(headers: head.headers, absent: .untilClose)
            let body = try reader.readBody(framing, limit: maxResponseBytes, maxTrailerBytes: 64 * 1024)
            return HTTPResponse(status: status, headers: head.headers, body: body)
        }
    }

    /// Resolves and connects with a timeout per address (non-blocking connect + poll), then switches the
    /// socket back to blocking with `SO_RCVTIMEO`/`SO_SNDTIMEO` = `readTimeout`.
    private func connect(_ target: RequestURL) throws -> Int32 {
        let addresses = try Socket.resolve(host: target.host, port: target.port, passive: false).get()
        var lastError = "no address"
        for candidate in addresses {
            let fd = socket(candidate.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), Int32(IPPROTO_TCP))
            guard fd >= 0 else { lastError = errnoDescription(errno); continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var rc = candidate.address.withUnsafeBytes {
                Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if rc != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&poller, 1, Int32(max(1, connectTimeout * 1000)))
                if ready == 0 {
                    lastError = "timed out after \(connectTimeout) s"
                    close(fd)
                    continue
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                rc = ready > 0 && socketError == 0 ? 0 : -1
                if rc != 0 { errno = socketError != 0 ? socketError : errno }
            }
            guard rc == 0 else {
                lastError = errnoDescription(errno)
                close(fd)
                continue
            }
            _ = fcntl(fd, F_SETFL, flags)
            Socket.setTimeout(fd, SO_RCVTIMEO, seconds: readTimeout)
            Socket.setTimeout(fd, SO_SNDTIMEO, seconds: readTimeout)
            Socket.setNoDelay(fd)
            return fd
        }
        throw HTTPError(.connect, "cannot connect to \(target.hostHeader): \(lastError)")
    }
}
