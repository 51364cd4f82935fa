/// JSON string literals (RFC 8259 §7), written in one place for every dialect Signet must match
/// byte for byte. The dialects differ only in which characters they escape, and how:
///
/// | style | `"` `\` | U+0000–U+001F | `<` `>` `&` U+2028 U+2029 | used for |
/// |---|---|---|---|---|
/// | `.canonical` | `\"` `\\` | raw | raw | canonical JSON that is signed (Notary's `cjson`, reference §3.1) |
/// | `.notaryStored` | `\"` `\\` | `\u00XX` | `\u003c` … `\u2029` | stored metadata files (Go's HTML-safe re-encoding) |
/// | `.goEncodingJSON` | `\"` `\\` | `\n` `\r` `\t`, others `\u00XX` | `\u003c` … `\u2029` | changelist data, as Go's `encoding/json` writes it |
/// | `.foundation` | `\"` `\\` | `\b` `\t` `\n` `\f` `\r`, others `\u00XX` | raw | the CLI's `--json` (as `JSONSerialization` wrote it) |
///
/// Hex digits are lower case. Everything else, `/` and non-ASCII included, is written raw as UTF-8.
package enum JSONString {
    /// Which characters a dialect escapes.
    package struct Style: Sendable {
        /// Control characters U+0000–U+001F: written raw, or escaped.
        package var escapesControls: Bool
        /// Control characters written as two-character escapes (`\n`) rather than `\u00XX`.
        package var shortEscapes: [UInt8: UInt8]
        /// `<`, `>`, `&`, U+2028 and U+2029 as `\u` escapes (Go's HTML-safe encoding).
        package var htmlSafe: Bool

        package static let canonical = Style(escapesControls: false, shortEscapes: [:], htmlSafe: false)
        package static let notaryStored = Style(escapesControls: true, shortEscapes: [:], htmlSafe: true)
        package static let goEncodingJSON = Style(
            escapesControls: true,
            shortEscapes: [0x0A: UInt8(ascii: "n"), 0x0D: UInt8(ascii: "r"), 0x09: UInt8(ascii: "t")],
            htmlSafe: true)
        package static let foundation = Style(
            escapesControls: true,
            shortEscapes: [0x08: UInt8(ascii: "b"), 0x09: UInt8(ascii: "t"), 0x0A: UInt8(ascii: "n"),
                           0x0C: UInt8(ascii: "f"), 0x0D: UInt8(ascii: "r")],
            htmlSafe: false)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    /// Appends `string` as a JSON string literal, quotes included, to `out` (UTF-8).
    package static func append(_ string: String, to out: inout [UInt8], style: Style) {
        out.append(UInt8(ascii: "\""))
        var utf8 = string.utf8.makeIterator()
        while let byte = utf8.next() {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x00..<0x20 where style.escapesControls:
                if let short = style.shortEscapes[byte] {
                    out.append(UInt8(ascii: "\\"))
                    out.append(short)
                } else {
                    appendEscape(UInt16(byte), to: &out)
                }
            case UInt8(ascii: "<") where style.htmlSafe, UInt8(ascii: ">") where style.htmlSafe,
                 UInt8(ascii: "&") where style.htmlSafe:
                appendEscape(UInt16(byte), to: &out)
            case 0xE2 where style.htmlSafe:
                // U+2028 / U+2029 are E2 80 A8 / E2 80 A9; a Swift string is valid UTF-8, so two
                // continuation bytes follow.
                let second = utf8.next(), third = utf8.next()
                if second == 0x80, let third, third == 0xA8 || third == 0xA9 {
                    appendEscape(third == 0xA8 ? 0x2028 : 0x2029, to: &out)
                } else {
                    out.append(byte)
                    if let second { out.append(second) }
                    if let third { out.append(third) }
                }
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// `string` as a JSON string literal, quotes included.
    package static func quoted(_ string: String, style: Style) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        append(string, to: &out, style: style)
        return String(decoding: out, as: UTF8.self)
    }

    /// `\uXXXX` with lower-case hex digits.
    private static func appendEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"),
                                hex[Int(unit >> 12)], hex[Int((unit >> 8) & 0xF)], hex[Int((unit >> 4) & 0xF)], hex[Int(unit & 0xF)]])
    }
}
