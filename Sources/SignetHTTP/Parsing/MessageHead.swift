/// A message head split into its start line and header fields (RFC 9112 §2.1, §5).
struct MessageHead {
    var startLine: String
    var headers: HTTPHeaders

    /// Parses the bytes `HeadScanner` returned.
    ///
    /// Rejects (`.malformed`): obs-fold continuation lines (§5.2), whitespace between a field name and
    /// its colon (§5.1), names that are not tokens, and CR, NUL or other control bytes inside a line.
    static func parse(_ head: [UInt8]) throws -> MessageHead {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for (index, byte) in head.enumerated() where byte == 0x0A {
            var lineEnd = index
            if lineEnd > lineStart && head[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(head[lineStart..<lineEnd])
            lineStart = index + 1
        }
        if lineStart < head.count { lines.append(head[lineStart...]) }
        guard let first = lines.first, !first.isEmpty else { throw HTTPError(.malformed, "empty start line") }
        guard first.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }) else { throw HTTPError(.malformed, "control byte in start line") }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let lead = line.first else { continue }
            if lead == 0x20 || lead == 0x09 { throw HTTPError(.malformed, "obsolete line folding in header section") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw HTTPError(.malformed, "header line without a colon") }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenByte) else { throw HTTPError(.malformed, "invalid header field name") }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw HTTPError(.malformed, "control byte in header field value")
            }
            headers.add(String(decoding: name, as: UTF8.self), String(String(decoding: value, as: UTF8.self).trimmingHTTPWhitespace()))
        }
        return MessageHead(startLine: String(decoding: first, as: UTF8.self), headers: headers)
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
             UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
             UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    static func isToken<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }
}

/// How a message body is delimited (RFC 9112 §6.3).
enum BodyFraming: Equatable {
    case none
    case length(Int)
    case chunked
    case untilClose

    /// Reads `Transfer-Encoding` and `Content-Length`.
    ///
    /// - Throws: `.malformed` for both headers together, an invalid or conflicting `Content-Length`
    ///   (`ContentLength`), or a transfer coding other than exactly `chunked` (the server answers that
    ///   one with 501, see `unsupportedTransferCoding`); `.tooLarge` for a `Content-Length` over `Int`.
    static func from(headers: HTTPHeaders, absent: BodyFraming) throws -> BodyFraming {
        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let lengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            guard lengths.isEmpty else { throw HTTPError(.malformed, "both Transfer-Encoding and Content-Length") }
            // Compared as ASCII bytes: `lowercased()` maps U+212A KELVIN SIGN to "k" (FieldListTests).
            let codings = transferEncodings.flatMap(HTTPHeaders.listElements)
            guard codings.count == 1, HTTPHeaders.namesMatch(codings[0], "chunked") else { throw unsupportedTransferCoding }
            return .chunked
        }
        guard !lengths.isEmpty else { return absent }
        return .length(try ContentLength.parse(lengths))
    }

    static let unsupportedTransferCoding = HTTPError(.malformed, "unsupported transfer coding (only chunked is accepted)")
}
