/// A parsed JSON value, kept exactly enough to re-encode it canonically.
///
/// TUF signatures cover the `signed` object as received, unknown fields included, so metadata is
/// verified from this generic tree and never from the typed model (reference: Notary
/// `tuf/signed/verify.go` re-canonicalises a generic map). Numbers are integers, as canonical JSON
/// allows nothing else; a number with a fraction or exponent is kept as `.fractional` with its
/// source text so that it can be reported, and the canonical encoder refuses it.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number with a fraction or exponent, as written in the source. Not canonical-encodable.
    case fractional(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The member `key` of an object, or nil for other values and missing keys.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var intValue: Int64? { if case .int(let i) = self { return i }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// A short name of the value's JSON type, for error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .fractional: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
