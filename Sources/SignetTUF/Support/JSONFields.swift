/// Typed field access over `JSONValue` objects, with errors that name the role and the field.
struct JSONFields {
    let members: [String: JSONValue]
    let context: String
    let role: String?

    init(_ value: JSONValue, context: String, role: String?) throws {
        guard case .object(let members) = value else {
            throw TUFError(.malformed, "\(context) is a JSON \(value.typeName), expected an object", role: role)
        }
        self.members = members
        self.context = context
        self.role = role
    }

    func wrongType(_ key: String, _ expected: String, _ found: JSONValue?) -> TUFError {
        if let found {
            return TUFError(.malformed, "\(context): \"\(key)\" is a JSON \(found.typeName), expected \(expected)", role: role)
        }
        return TUFError(.malformed, "\(context): required field \"\(key)\" is missing", role: role)
    }

    func string(_ key: String) throws -> String {
        guard let value = members[key]?.stringValue else { throw wrongType(key, "a string", members[key]) }
        return value
    }

    func int(_ key: String) throws -> Int64 {
        guard let value = members[key]?.intValue else { throw wrongType(key, "an integer", members[key]) }
        return value
    }

    func object(_ key: String) throws -> [String: JSONValue] {
        guard let value = members[key]?.objectValue else { throw wrongType(key, "an object", members[key]) }
        return value
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let value = members[key]?.arrayValue else { throw wrongType(key, "an array", members[key]) }
        return value
    }

    func stringArray(_ key: String) throws -> [String] {
        try array(key).map { element in
            guard let string = element.stringValue else { throw wrongType(key, "an array of strings", element) }
            return string
        }
    }

    func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], !value.isNull else { return nil }
        return value
    }
}
