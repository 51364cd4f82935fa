import SignetTUF

/// Config and policy files as the loosely typed tree the loaders walk (`[String: Any]`, `[Any]`,
/// `String`, `Int`, `Double`, `Bool`), parsed with Signet's own strict JSON parser (full
/// Foundation's `JSONSerialization` is not in `FoundationEssentials`).
enum JSONObject {
    /// The document in `bytes`, or nil when it is not JSON (or nests deeper than the parser allows,
    /// or repeats an object key).
    static func parse(_ bytes: [UInt8]) -> Any? {
        guard let value = try? JSONParser.parse(bytes, what: "config") else { return nil }
        return tree(value)
    }

    /// `null` becomes `Null`, so that `as? String` and the like fail on it as they did on `NSNull`.
    private static func tree(_ value: JSONValue) -> Any {
        switch value {
        case .null: return Null()
        case .bool(let flag): return flag
        case .int(let number): return Int(exactly: number) ?? Double(number)
        case .fractional(let text): return Double(text) ?? Double.nan
        case .string(let text): return text
        case .array(let elements): return elements.map(tree)
        case .object(let members): return members.mapValues(tree)
        }
    }

    /// JSON `null` in the tree (`NSNull` in `JSONSerialization`'s).
    struct Null {}
}
