import SignetSupport

/// Text that goes into the web page (`UI/WebPages.swift`): the one place it is escaped. Every
/// string from stored metadata or a request (GUNs, tags, role names, paths, key IDs) passes
/// through `escape` before it reaches HTML, and through `queryValue` before it reaches a URL.
enum HTMLText {
    /// `&`, `<`, `>`, `"` and `'` as character references; control characters other than tab
    /// and line feed as U+FFFD (they have no place in a page and some are not allowed in HTML).
    /// Safe in element content and in double- or single-quoted attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { out += "\u{FFFD}" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// A query parameter value: every UTF-8 byte outside ASCII letters, digits and `-._~` as
    /// `%XX` (RFC 3986 unreserved), so a value never adds a parameter or leaves its attribute.
    static func queryValue(_ text: String) -> String {
        PercentEncoding.encode(text)
    }
}
