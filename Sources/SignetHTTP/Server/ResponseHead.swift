/// A response's status line and handler-set header fields, serialised (RFC 9112 §4, §5): the part
/// of the head that does not change from one sending to the next. The server adds `Date` (unless
/// the handler set one), its own `Content-Length` and `Connection`, and the blank line.
///
/// Handler-set `Content-Length`, `Transfer-Encoding` and `Connection` are dropped (the server frames
/// every response itself), and so is any field whose name is not a token or whose value contains
/// CR, LF or NUL (response splitting).
package final class ResponseHead: Sendable {
    /// `HTTP/1.1 <status> <reason>\r\n` and the kept fields, each ending in CRLF.
    let bytes: [UInt8]
    /// Whether the handler set `Date`.
    let hasDate: Bool

    init(status: Int, headers: HTTPHeaders) {
        var text = "HTTP/1.1 \(status) \(HTTPResponse.reasonPhrase(for: status))\r\n"
        var hasDate = false
        for (name, value) in headers {
            if HTTPHeaders.namesMatch(name, "Content-Length") || HTTPHeaders.namesMatch(name, "Transfer-Encoding")
                || HTTPHeaders.namesMatch(name, "Connection") { continue }
            guard MessageHead.isToken(name), !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else { continue }
            if HTTPHeaders.namesMatch(name, "Date") { hasDate = true }
            text += "\(name): \(value)\r\n"
        }
        bytes = Array(text.utf8)
        self.hasDate = hasDate
    }

    /// The whole head: `head`, then `dateLine` (a whole `Date: …\r\n`, unless the handler set
    /// `Date`), `Content-Length` when given, `Connection` when given, and the blank line.
    static func serialize(_ head: ResponseHead, contentLength: Int?, connection: String?, dateLine: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(head.bytes.count + dateLine.count + 64)
        out.append(contentsOf: head.bytes)
        if !head.hasDate { out.append(contentsOf: dateLine) }
        if let contentLength {
            out.append(contentsOf: "Content-Length: ".utf8)
            out.append(contentsOf: String(contentLength).utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        if let connection {
            out.append(contentsOf: "Connection: ".utf8)
            out.append(contentsOf: connection.utf8)
            out.append(contentsOf: [0x0D, 0x0A])
        }
        out.append(contentsOf: [0x0D, 0x0A])
        return out
    }
}
