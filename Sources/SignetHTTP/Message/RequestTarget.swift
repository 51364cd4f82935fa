/// Splits a request-target (RFC 9112 §3.2) into a decoded path and query parameters.
enum RequestTarget {
    /// Returns the percent-decoded path and the query, or nil when the target is not origin-form,
    /// absolute-form or `*`, or the path has a broken `%` escape or encodes NUL.
    static func parse(_ target: String) -> (path: String, query: [String: String])? {
        if target == "*" { return ("*", [:]) }
        var rest = Substring(target)
        if !rest.hasPrefix("/") {
            // absolute-form: scheme "://" authority path-abempty [ "?" query ]
            guard let schemeEnd = rest.firstRange(of: "://") else { return nil }
            let scheme = rest[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else { return nil }
            rest = rest[schemeEnd.upperBound...]
            if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
                rest = rest[slash...]
                if rest.hasPrefix("?") { rest = "/" + rest }
            } else {
                rest = "/"
            }
        }
        let rawPath: Substring
        var query: [String: String] = [:]
        if let question = rest.firstIndex(of: "?") {
            rawPath = rest[..<question]
            for pair in rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: true) {
                let (name, value): (Substring, Substring)
                if let equals = pair.firstIndex(of: "=") {
                    (name, value) = (pair[..<equals], pair[pair.index(after: equals)...])
                } else {
                    (name, value) = (pair, "")
                }
                let decodedName = percentDecode(name, plusAsSpace: true) ?? String(name)
                query[decodedName] = percentDecode(value, plusAsSpace: true) ?? String(value)
            }
        } else {
            rawPath = rest
        }
        guard let path = percentDecode(rawPath, plusAsSpace: false), !path.utf8.contains(0) else { return nil }
        return (path, query)
    }

    /// Decodes `%XX` escapes (and `+` as space when asked); nil on a truncated or non-hex escape.
    /// Decoded bytes that are not valid UTF-8 become U+FFFD.
    static func percentDecode(_ text: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = Array(text.utf8)
        guard utf8.contains(where: { $0 == UInt8(ascii: "%") || (plusAsSpace && $0 == UInt8(ascii: "+")) }) else {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var i = 0
        while i < utf8.count {
            let byte = utf8[i]
            if byte == UInt8(ascii: "%") {
                guard i + 2 < utf8.count, let high = hexValue(utf8[i + 1]), let low = hexValue(utf8[i + 2]) else { return nil }
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
