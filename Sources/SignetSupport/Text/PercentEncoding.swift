/// Percent-encoding of URL parts (RFC 3986 §2.1): every UTF-8 byte outside the unreserved
/// characters (ASCII letters, digits, `-._~`) and the caller's extra allowed bytes becomes `%XX`
/// (upper-case hex). The client's request paths keep `/:@`; the web page's query values keep
/// nothing more, so a value can neither add a parameter nor leave its attribute.
package enum PercentEncoding {
    /// `text` percent-encoded, keeping the bytes of `allowed` (ASCII) as they are.
    package static func encode(_ text: String, keeping allowed: String = "") -> String {
        let extra = Set(allowed.utf8)
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                if extra.contains(byte) { out.append(byte) } else { out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
