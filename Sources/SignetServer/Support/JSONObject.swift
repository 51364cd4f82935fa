import SignetTUF

/// JSON text for a loosely typed tree (`[String: Any]`, `[Any]`, `String`, `Bool`, integers,
/// `Double`), for the one caller holding such a tree: `AccessPolicy.parse(_:source:)`.
enum JSONObject {
    /// The JSON text of `tree`, or nil when it holds something else (`null`, a fractional number).
    static func encode(_ tree: Any) -> [UInt8]? {
        guard let value = json(tree) else { return nil }
        return try? CanonicalJSON.encode(value)
    }

    private static func json(_ tree: Any) -> JSONValue? {
        switch tree {
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(Int64(number))
        case let number as Double: return Int64(exactly: number).map { .int($0) }
        case let elements as [Any]:
            var values: [JSONValue] = []
            for element in elements {
                guard let value = json(element) else { return nil }
                values.append(value)
            }
            return .array(values)
        case let members as [String: Any]:
            var values: [String: JSONValue] = [:]
            for (key, member) in members {
                guard let value = json(member) else { return nil }
                values[key] = value
            }
            return .object(values)
        default: return nil
        }
    }
}
