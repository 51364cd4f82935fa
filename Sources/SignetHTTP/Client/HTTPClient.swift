import Glibc
import SignetCrypto
import Synchronization

/// A small blocking HTTP/1.1 client for talking to a trust server (what the `signet` CLI uses).
///
/// Each `send` opens a connection, writes one request with `Connection: close`, reads the response and
/// closes; there is no connection reuse. Safe to call from several threads at once.
///
/// Every request has one deadline, `timeout`, for all of it — connect, TLS handshake, sending, the
/// response head and the body — enforced on a non-blocking socket (`RequestDeadline`), so a server that
/// drips one byte at a time, or never answers, cannot keep the caller waiting longer. Name resolution
/// (getaddrinfo) runs before the deadline starts and is bounded by the resolver's own timeouts.
public final class HTTPClient: Sendable {

    let tls: TLSClientContext?
    let timeout: Double
    let maxResponseBytes: Int
    /// The context for `https` URLs when `tls` is nil, created on first use.
    private let defaultTLS = Mutex<TLSClientContext?>(nil)

    /// The most interim (1xx) responses accepted before the final one, as Go's `net/http` (the notary
    /// client's) allows; a server sending more is refused rather than read forever.
    public static let maxInterimResponses = 5

    /// The default `timeout` in seconds (what `signet` uses without `--timeout`/`SIGNET_TIMEOUT`).
    public static let defaultTimeout: Double = 30

    /// - Parameters:
    ///   - tls: the TLS context for `https://` URLs (trust anchors, client certificate). When nil, an
    ///     `https://` request uses a context with the system trust store, created on first use.
    ///   - timeout: seconds one request may take in total, from connect to the last body byte. Kept
    ///     within 0.001…1e9; NaN is taken as 0.001 (the request then fails at once with `.timeout`).
    ///   - maxResponseBytes: the largest response body accepted (`HTTPError(.tooLarge)` beyond).
    ///
    /// Sets `SIGPIPE` to ignored for the process, since TLS writes cannot suppress it per call.
    public init(tls: TLSClientContext? = nil, timeout: Double = HTTPClient.defaultTimeout, maxResponseBytes: Int = 100 * 1024 * 1024) {
        self.tls = tls
        self.timeout = timeout.isNaN ? 0.001 : min(max(timeout, 0.001), 1e9)
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
    /// - Returns: the final response; up to `maxInterimResponses` 1xx interim responses (`100 Continue`)
    ///   are skipped. The body is de-chunked; it is framed by `Transfer-Encoding: chunked`,
    ///   `Content-Length`, or the server closing.
    /// - Throws: `HTTPError` — `.malformed` for a bad URL, an unparseable response or more than
    ///   `maxInterimResponses` interim responses; `.connect` when the host cannot be resolved or no
    ///   address accepts a connection; `.timeout` when the request is not complete within `timeout`,
    ///   its message naming the phase (connecting, TLS handshake, sending the request, waiting for the
    ///   response head, reading the response body); `.tls` when the context or handshake fails, or when
    ///   an `http://` URL reaches a server that speaks TLS (the message says to use `https://`);
    ///   `.tooLarge` past `maxResponseBytes`; `.io` when the connection breaks.
    public func send(method: String, url: String, headers: HTTPHeaders = .init(), body: [UInt8] = []) throws -> HTTPResponse {
        let target = try RequestURL(url)
        guard MessageHead.isToken(method) else { throw HTTPError(.malformed, "invalid method \(method)") }
        let host = target.hostHeader
        let addresses = try Socket.resolve(host: target.host, port: target.port, passive: false).get()
        let deadline = RequestDeadline(seconds: timeout)
        let fd = try deadline.during(.connecting, host: host) { try connect(addresses, host: host, deadline: deadline) }
        var transport: Transport = PlainTransport(fd: fd, deadline: deadline)
        if target.isTLS {
            do {
                let context = try tlsContext()
                let wait: TLSConnection.SocketWait = { readiness in
                    try deadline.wait(fd, for: Int16(readiness == .readable ? POLLIN : POLLOUT))
                }
                let connection = try deadline.during(.tlsHandshake, host: host) {
                    try TLSConnection(connecting: fd, context: context, hostname: target.host, wait: wait)
                }
                transport = TLSTransport(fd: fd, connection: connection)
            } catch {
                close(fd)
                if let error = error as? HTTPError { throw error }
                throw HTTPError(.tls, "TLS handshake with \(host) failed: \(error)")
            }
        }
        defer { transport.close() }

        var head = "\(method) \(target.target) HTTP/1.1\r\n"
        if !headers.contains("Host") { head += "Host: \(host)\r\n" }
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
        let reader = BufferedReader(transport: transport)
        do {
            try deadline.during(.sendingRequest, host: host) { try transport.write(Array(head.utf8) + body) }
        } catch let error as HTTPError where !target.isTLS && error.code == .io {
            // A TLS server may already have answered the first bytes (and closed): say so if it did.
            if (try? reader.fill()) == true, PlainHTTPOnTLSPort.isTLSRecord(reader.buffered) {
                throw HTTPError(.tls, PlainHTTPOnTLSPort.message(hostHeader: host))
            }
            throw error
        }
        let response = try readResponse(reader, method: method, deadline: deadline, target: target)
        if !target.isTLS, PlainHTTPOnTLSPort.isRefusal(response) {
            throw HTTPError(.tls, PlainHTTPOnTLSPort.message(hostHeader: host))
        }
        return response
    }

    private func tlsContext() throws -> TLSClientContext {
        if let tls { return tls }
        return try defaultTLS.withLock { defaultTLS in
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

    /// Reads the status line, headers and body of the final response, skipping at most
    /// `maxInterimResponses` interim ones.
    func readResponse(_ reader: BufferedReader, method: String, deadline: RequestDeadline, target: RequestURL) throws -> HTTPResponse {
        let host = target.hostHeader
        var interim = 0
        while true {
            let headBytes = try deadline.during(.responseHead, host: host) { () throws -> [UInt8] in
                if interim == 0, !target.isTLS { try checkNotTLS(reader, host: host) }
                guard let bytes = try reader.readHead(maxBytes: 64 * 1024) else {
                    throw HTTPError(.io, "server closed the connection without a response")
                }
                return bytes
            }
            let head = try MessageHead.parse(headBytes)
            let parts = head.startLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            // status-code = 3DIGIT (RFC 9112 §4), 100–599 in use (RFC 9110 §15); Int() alone takes "+20", "-01".
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].utf8.count == 3,
                  parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let status = Int(parts[1]), status >= 100 else {
                throw HTTPError(.malformed, "invalid status line")
            }
            if status >= 100 && status < 200 && status != 101 {  // interim response
                interim += 1
                guard interim <= Self.maxInterimResponses else {
                    throw HTTPError(.malformed, "\(host) sent more than \(Self.maxInterimResponses) interim (1xx) responses")
                }
                continue
            }
            let noBody = method == "HEAD" || status < 200 || status == 204 || status == 304
            let framing = noBody ? BodyFraming.none : try BodyFraming.from(headers: head.headers, absent: .untilClose)
            let body = try deadline.during(.responseBody, host: host) {
                try reader.readBody(framing, limit: maxResponseBytes, maxTrailerBytes: 64 * 1024)
            }
            return HTTPResponse(status: status, headers: head.headers, body: body)
        }
    }

    /// On `http://`: reads the first bytes of the response and refuses a TLS record (an alert or
    /// handshake answering our plain request) with "speaks TLS: use https://". A connection reset
    /// before any byte gets the same hint, worded as a possibility.
    private func checkNotTLS(_ reader: BufferedReader, host: String) throws {
        do {
            while reader.available < 2 {
                guard try reader.fill() else { break }
            }
        } catch let error as HTTPError where error.code == .io && reader.available == 0 {
            throw HTTPError(.io, "\(error.message) before any response from \(host) (if it serves TLS, use https://\(host))")
        }
        if PlainHTTPOnTLSPort.isTLSRecord(reader.buffered) {
            throw HTTPError(.tls, PlainHTTPOnTLSPort.message(hostHeader: host))
        }
    }

    /// Connects to the first of `addresses` that accepts, with a non-blocking connect. Each address
    /// gets an equal share of the time left, so one that never answers cannot use all of it. The
    /// socket stays non-blocking: every later wait goes through `deadline`.
    private func connect(_ addresses: [(family: Int32, address: [UInt8])], host: String, deadline: RequestDeadline) throws -> Int32 {
        var lastError = "no address"
        for (index, candidate) in addresses.enumerated() {
            let fd = socket(candidate.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), Int32(IPPROTO_TCP))
            guard fd >= 0 else { lastError = errnoDescription(errno); continue }
            var rc = candidate.address.withUnsafeBytes {
                Glibc.connect(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if rc != 0 && errno == EINPROGRESS {
                let share = RequestDeadline(seconds: deadline.remaining / Double(addresses.count - index))
                do {
                    try share.wait(fd, for: Int16(POLLOUT))
                } catch let error as HTTPError where error.code == .timeout {
                    close(fd)
                    if index == addresses.count - 1 { throw error }
                    lastError = "timed out"
                    continue
                }
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                rc = socketError == 0 ? 0 : -1
                if rc != 0 { errno = socketError }
            }
            guard rc == 0 else {
                lastError = errnoDescription(errno)
                close(fd)
                continue
            }
            Socket.setNoDelay(fd)
            return fd
        }
        throw HTTPError(.connect, "cannot connect to \(host): \(lastError)")
    }
}
