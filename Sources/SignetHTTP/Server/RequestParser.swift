/// Why a request was refused before reaching the handler. `status` 0 means: close without answering.
struct RequestRejection: Error {
    var status: Int
    var method = "-"
    var path = "-"
}

/// One connection's request reader, fed bytes as they arrive: the event loop appends what each read
/// returned and calls `next()`; `MessageReading` (fuzzing, tests) drives the very same code over bytes in
/// memory. Validates per RFC 9112 §3, §5, §6 and RFC 9110 §10.1.1 (`Expect`); see docs/http-server.md.
struct RequestParser {
    /// What the bytes so far amount to.
    enum Event {
        /// Not a whole request yet.
        case needMore
        /// A request for the handler, and whether the connection stays open after its response.
        case request(HTTPRequest, keepAlive: Bool)
        /// Refused before the handler (see `RequestRejection`).
        case rejected(RequestRejection)
        /// The peer closed mid-head (`.io`).
        case failed(HTTPError)
    }

    /// A request whose head is complete and whose body is still arriving.
    struct PendingRequest {
        var method: String
        var target: String
        var path: String
        var query: [String: String]
        var headers: HTTPHeaders
        var isHTTP10: Bool
        var keepAlive: Bool
        var body: BodyDecoder
        var bytes: [UInt8] = []
    }

    private enum Stage {
        case head(HeadScanner)
        case body(PendingRequest)
    }

    let maxHeaderBytes: Int
    let maxBodyBytes: Int
    let remote: String
    /// The verified client certificate's subject (mutual TLS), set once the handshake is done.
    var peerSubject: String?
    /// Received bytes not yet part of a returned request (the start of the next one when pipelined).
    private(set) var queue = ByteQueue()
    private var stage = Stage.head(HeadScanner())
    /// Set when the head just completed asked for `100 Continue` and no body byte has arrived yet;
    /// the connection sends the interim response and clears it.
    var continueDue = false

    init(maxHeaderBytes: Int, maxBodyBytes: Int, remote: String) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.remote = remote
    }

    /// True once a request head is complete (its body, if any, still arriving): the request is in flight.
    var headComplete: Bool {
        if case .body = stage { return true }
        return false
    }

    /// The method and path of a request whose body is still arriving (for the access log of a 408).
    var pendingRequestLine: (method: String, path: String)? {
        if case .body(let pending) = stage { return (pending.method, pending.path) }
        return nil
    }

    /// True when no byte of a next request has arrived.
    var isEmpty: Bool { !headComplete && queue.available == 0 }

    mutating func append(_ bytes: UnsafeRawBufferPointer) { queue.append(bytes) }

    /// Decodes as far as the buffered bytes go. With `memo`, a head byte for byte identical to one
    /// validated before (under the same limits: one memo per server) is not parsed again.
    mutating func next(memo: RequestHeadMemo? = nil) -> Event {
        do {
            if case .head(var scanner) = stage {
                let head = try scanner.next(&queue, maxBytes: maxHeaderBytes)
                stage = .head(scanner)
                guard let head else { return .needMore }
                if let known = memo?.pending(for: head) {
                    stage = .body(known)
                } else {
                    let pending = try Self.validate(head, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes, continueDue: &continueDue, bodyWaiting: queue.available > 0)
                    memo?.remember(head, pending)
                    stage = .body(pending)
                }
            }
            guard case .body(var pending) = stage else { return .needMore }
            stage = .head(HeadScanner())  // while `pending` is out of `stage`, so its bytes are not copied
            let complete: Bool
            do {
                complete = try pending.body.next(&queue, into: &pending.bytes)
            } catch let error as HTTPError {
                throw RequestRejection(status: error.code == .tooLarge ? 413 : 400, method: pending.method, path: pending.path)
            }
            guard complete else {
                stage = .body(pending)
                return .needMore
            }
            let request = HTTPRequest(
                method: pending.method, target: pending.target, path: pending.path, query: pending.query, headers: pending.headers,
                body: pending.bytes, remoteAddress: remote, peerCertificateSubject: peerSubject, version: pending.isHTTP10 ? "HTTP/1.0" : "HTTP/1.1")
            return .request(request, keepAlive: pending.keepAlive)
        } catch let rejection as RequestRejection {
            return .rejected(rejection)
        } catch let error as HTTPError {
            return .rejected(RequestRejection(status: error.code == .tooLarge ? 431 : 400))
        } catch {
            return .rejected(RequestRejection(status: 400))
        }
    }

    /// The peer closed. `nil` when that ends nothing (no byte of a request had arrived, or a read-to-close
    /// body does not apply to requests); otherwise what to make of the partial request.
    mutating func endOfInput() -> Event? {
        switch stage {
        case .head(let scanner):
            guard let error = scanner.endOfInput(queue) else { return nil }
            return .failed(error)
        case .body(let pending):
            return .rejected(RequestRejection(status: 0, method: pending.method, path: pending.path))
        }
    }

    /// Turns a complete head into a pending request, or refuses it: 400 (malformed line, target, `Host`,
    /// framing), 505 (not HTTP/1.x), 501 (a transfer coding other than chunked), 413 (declared length
    /// over the limit, checked before any body byte), 417 (an expectation other than `100-continue`).
    private static func validate(_ headBytes: [UInt8], maxHeaderBytes: Int, maxBodyBytes: Int, continueDue: inout Bool, bodyWaiting: Bool) throws -> PendingRequest {
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
            let status = error == BodyFraming.unsupportedTransferCoding ? 501 : error.code == .tooLarge ? 413 : 400
            throw RequestRejection(status: status, method: method, path: path)
        }
        if case .length(let length) = framing, length > maxBodyBytes {
            throw RequestRejection(status: 413, method: method, path: path)
        }
        let keepAlive = isHTTP10 ? headers.hasToken("keep-alive", in: "Connection") : !headers.hasToken("close", in: "Connection")
        if let expectation = headers["Expect"] {
            guard HTTPHeaders.namesMatch(expectation.trimmingHTTPWhitespace(), "100-continue") else {
                throw RequestRejection(status: 417, method: method, path: path)
            }
            // Ask for the body only if one is coming and the client has not started sending it.
            continueDue = !isHTTP10 && framing != .none && framing != .length(0) && !bodyWaiting
        }
        let body = try BodyDecoder(framing, limit: maxBodyBytes, maxTrailerBytes: maxHeaderBytes)
        var pending = PendingRequest(method: method, target: target, path: path, query: query, headers: headers,
                                     isHTTP10: isHTTP10, keepAlive: keepAlive, body: body)
        pending.bytes.reserveCapacity(BodyDecoder.initialCapacity(framing))
        return pending
    }
}

/// Request heads already validated by `RequestParser`, by their exact bytes, so that the same head
/// sent again (a keep-alive client polling `timestamp.json` sends the very same bytes every time) is
/// not parsed again. Parsing is a function of the head's bytes and the limits alone (the remote
/// address and client certificate are added per connection), so a hit yields exactly what parsing
/// would.
///
/// Only heads of bodyless requests without `Expect` are kept (nothing about them depends on what
/// follows the head), of at most `maxHeadBytes` bytes each, and at most `capacity` of them (then the
/// memo starts over): at most 512 KiB however many distinct heads clients send. One per event loop,
/// used by that thread only.
final class RequestHeadMemo {
    static let maxHeadBytes = 1024
    static let capacity = 512
    private var entries: [Key: RequestParser.PendingRequest] = [:]

    /// A head's bytes, hashed as one buffer (`[UInt8]`'s own `Hashable` feeds the hasher byte by byte).
    private struct Key: Hashable {
        var bytes: [UInt8]
        func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
    }

    /// Heads held now.
    var count: Int { entries.count }

    func pending(for head: [UInt8]) -> RequestParser.PendingRequest? {
        head.count <= Self.maxHeadBytes ? entries[Key(bytes: head)] : nil
    }

    func remember(_ head: [UInt8], _ pending: RequestParser.PendingRequest) {
        guard head.count <= Self.maxHeadBytes, pending.body.isComplete, pending.headers["Expect"] == nil else { return }
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[Key(bytes: head)] = pending
    }
}
