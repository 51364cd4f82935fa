/// HTTP's quoted-string (RFC 9110 §5.6.4), read and written in one place: auth-params of
/// `WWW-Authenticate` (client) and the parameters of `Content-Type` and `Content-Disposition`
/// (multipart uploads, both sides).
///
/// ```
/// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
/// qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
/// quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
/// ```
package enum QuotedString {
    /// Reads the quoted-string at the start of `text`.
    ///
    /// - Returns: the value with each quoted-pair `\x` replaced by `x`, and the text after the
    ///   closing quote; nil when `text` does not start with `"`, when the closing quote is missing
    ///   (a trailing lone `\` counts as missing), or when a control character other than HTAB
    ///   (U+0000–U+0008, U+000A–U+001F, U+007F) occurs inside, escaped or not.
    package static func read(_ text: Substring) -> (value: String, rest: Substring)? {
        let scalars = text.unicodeScalars
        guard scalars.first == "\"" else { return nil }
        var value = String.UnicodeScalarView()
        var index = scalars.index(after: scalars.startIndex)
        while index < scalars.endIndex {
            var scalar = scalars[index]
            if scalar == "\"" {
                return (String(value), Substring(scalars[scalars.index(after: index)...]))
            }
            if scalar == "\\" {
                index = scalars.index(after: index)
                guard index < scalars.endIndex else { return nil }
                scalar = scalars[index]
            }
            guard !isControl(scalar) else { return nil }
            value.append(scalar)
            index = scalars.index(after: index)
        }
        return nil
    }

    /// `text` as a quoted-string, surrounding quotes included: `\` and `"` are escaped with `\`.
    /// Control characters are not representable; callers only pass names and URLs without them.
    package static func quote(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in text.unicodeScalars {
            if scalar == "\\" || scalar == "\"" { out.append("\\") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F
    }
}
