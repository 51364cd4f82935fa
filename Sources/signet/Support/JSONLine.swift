import SignetSupport

/// The CLI's `--json` output: one line of JSON with sorted keys, as full Foundation's
/// `JSONSerialization` wrote it with `[.sortedKeys, .withoutEscapingSlashes]` (which
/// `FoundationEssentials` lacks).
///
/// Values are `String`, `Bool`, integers, `[Any]` and `[String: Any]` trees. Keys sort as
/// `JSONSerialization` sorted them (case-insensitively, lowercase first on a tie). Strings escape
/// `"` and `\`, write `\b \t \n \f \r` and other control characters as `\u00xx`, and everything else
/// (`/` and non-ASCII included) raw.
enum JSONLine {
    /// The encoding of `value`, or nil when it holds something JSON cannot represent.
    static func encode(_ value: Any) -> String? {
        var out = ""
        guard write(value, into: &out) else { return nil }
        return out
    }

    private static func write(_ value: Any, into out: inout String) -> Bool {
        switch value {
        case let text as String: writeString(text, into: &out)
        case let flag as Bool: out += flag ? "true" : "false"
        case let number as Int: out += String(number)
        case let number as Int64: out += String(number)
        case let number as Int32: out += String(number)
        case let number as UInt64: out += String(number)
        case let number as UInt32: out += String(number)
        case let members as [String: Any]:
            out += "{"
            for (index, key) in members.keys.sorted(by: keyOrder).enumerated() {
                if index > 0 { out += "," }
                writeString(key, into: &out)
                out += ":"
                guard write(members[key]!, into: &out) else { return false }
            }
            out += "}"
        case let elements as [Any]:
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                guard write(element, into: &out) else { return false }
            }
            out += "]"
        default:
            return false
        }
        return true
    }

    /// `JSONSerialization`'s `.sortedKeys` order for the keys the CLI writes: case-insensitive, and
    /// on a tie lowercase before uppercase.
    private static func keyOrder(_ a: String, _ b: String) -> Bool {
        let (foldedA, foldedB) = (a.lowercased(), b.lowercased())
        if foldedA != foldedB { return foldedA.unicodeScalars.lexicographicallyPrecedes(foldedB.unicodeScalars) }
        return b.unicodeScalars.lexicographicallyPrecedes(a.unicodeScalars)
    }

    private static func writeString(_ text: String, into out: inout String) {
        out += JSONString.quoted(text, style: .foundation)
    }
}
