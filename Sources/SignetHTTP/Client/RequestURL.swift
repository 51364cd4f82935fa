/// The parts of an absolute `http://` or `https://` URL that `HTTPClient` needs (RFC 3986 §3).
struct RequestURL: Equatable {
    var isTLS: Bool
    /// Host without brackets (IPv6 literals unbracketed).
    var host: String
    var port: Int
    /// Path plus `?query`, as sent on the request line; `/` when the URL has no path.
    var target: String

    /// The `Host` header value: host (bracketed if IPv6) plus `:port` unless it is the scheme's default.
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        return port == (isTLS ? 443 : 80) ? name : "\(name):\(port)"
    }

    /// - Throws: `HTTPError(.malformed)` naming the URL when the scheme is not http/https, the host is
    ///   empty, or the port is not a number in 1…65535.
    init(_ url: String) throws {
        func fail(_ why: String) -> HTTPError { HTTPError(.malformed, "invalid URL \(url): \(why)") }
        guard let schemeEnd = url.firstRange(of: "://") else { throw fail("no scheme") }
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "http": isTLS = false
        case "https": isTLS = true
        default: throw fail("scheme must be http or https")
        }
        var rest = url[schemeEnd.upperBound...]
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        let pathAndQuery = rest[authorityEnd...]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw fail("unterminated IPv6 literal") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("junk after IPv6 literal") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw fail("empty host") }
        if let portText, !portText.isEmpty {
            guard let value = Int(portText), (1...65535).contains(value) else { throw fail("bad port") }
            port = value
        } else {
            port = isTLS ? 443 : 80
        }
        target = pathAndQuery.isEmpty ? "/" : (pathAndQuery.hasPrefix("?") ? "/" + pathAndQuery : String(pathAndQuery))
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw fail("path must be percent-encoded ASCII") }
    }
}
