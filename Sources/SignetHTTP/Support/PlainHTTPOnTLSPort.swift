/// Plain HTTP sent to a TLS port: how the server answers it and how the client recognises it, so
/// `http://` to an `https://` server says "use https://" instead of "connection reset".
///
/// - The server (like Go's `net/http`, hence notary-server) answers a connection whose first byte is
///   an ASCII letter — a request line, not a TLS ClientHello (`0x16`) — with a plain-text
///   `400 Bad Request` carrying Go's sentence, instead of closing (OpenSSL sends no alert for it).
/// - The client recognises a TLS record at the start of the response (`0x15` alert or `0x16`
///   handshake, then major version `0x03`, as curl does), and the `400` answers of Go's `net/http`
///   and nginx.
enum PlainHTTPOnTLSPort {
    /// Go `net/http`'s body for this case (notary-server sends it); the server sends it too.
    static let goRefusal = "Client sent an HTTP request to an HTTPS server."
    /// nginx's wording, recognised by the client.
    static let nginxRefusal = "The plain HTTP request was sent to HTTPS port"

    /// The server's answer: `HTTP/1.0 400`, `Connection: close`, Go's sentence.
    static let serverAnswer: [UInt8] = Array(
        "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: \(goRefusal.utf8.count + 1)\r\n\r\n\(goRefusal)\n".utf8)

    /// True when `firstByte`, the first byte a client sent to a TLS port, starts a plain-text request
    /// (an ASCII letter: every HTTP method is a token of letters) rather than a TLS record.
    static func isPlainRequest(firstByte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(firstByte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(firstByte)
    }

    /// True when `bytes`, the first bytes of a response, are a TLS record header (RFC 8446 §5.1:
    /// content type 21 alert or 22 handshake, then legacy version major 3).
    static func isTLSRecord<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var iterator = bytes.makeIterator()
        guard let type = iterator.next(), let major = iterator.next() else { return false }
        return (type == 0x15 || type == 0x16) && major == 0x03
    }

    /// True when `response` is a TLS server's refusal of plain HTTP (Go's or nginx's 400).
    static func isRefusal(_ response: HTTPResponse) -> Bool {
        guard response.status == 400 else { return false }
        let text = String(decoding: response.body.prefix(1024), as: UTF8.self)
        return text.contains(goRefusal) || text.contains(nginxRefusal)
    }

    /// The client's message, naming the URL to use instead.
    static func message(hostHeader: String) -> String {
        "the server at \(hostHeader) speaks TLS: use https://\(hostHeader)"
    }
}
