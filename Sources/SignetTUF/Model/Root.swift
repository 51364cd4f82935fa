/// The root role's `signed` object (reference §3.4): the keys and thresholds of every base role.
public struct Root: Sendable {
    public static let type = "Root"
    public var version: Int64
    public var expires: TUFTime
    /// Notary always writes `false`, and clients use consistent names regardless.
    public var consistentSnapshot: Bool
    /// Key ID → key.
    public var keys: [String: TUFKey]
    /// Role name → keys and threshold; `root`, `targets`, `snapshot`, `timestamp` are required.
    public var roles: [String: RoleKeys]

    public init(version: Int64, expires: TUFTime, keys: [String: TUFKey], roles: [String: RoleKeys], consistentSnapshot: Bool = false) {
        self.version = version
        self.expires = expires
        self.keys = keys
        self.roles = roles
        self.consistentSnapshot = consistentSnapshot
    }

    /// Parses a root `signed` object.
    /// - Throws: `TUFError(.wrongType)` for another `_type`; `.malformed` for a wrong shape, a
    ///   missing base role, or a role listing a key ID absent from `keys`; `.threshold` for a
    ///   threshold below 1.
    public init(signed value: JSONValue) throws {
        let role = RoleName.root
        let fields = try JSONFields(value, context: "root", role: role)
        let common = try CommonFields(fields, expectedType: Root.type, role: role)
        version = common.version
        expires = common.expires
        consistentSnapshot = fields.members["consistent_snapshot"]?.boolValue ?? false
        let keyObjects = try fields.goMap("keys")
        guard keyObjects.count <= MetadataLimits.maxKeys else {
            throw TUFError(.tooLarge, "root lists \(keyObjects.count) keys, over the limit of \(MetadataLimits.maxKeys)", role: role)
        }
        var keys: [String: TUFKey] = [:]
        for (id, keyJSON) in keyObjects {
            keys[id] = try TUFKey(json: keyJSON, context: "root key \(id)", role: role)
        }
        self.keys = keys
        var roles: [String: RoleKeys] = [:]
        for (name, roleJSON) in try fields.goMap("roles") {
            let roleFields = try JSONFields(roleJSON, context: "root role \(name)", role: role)
            roles[name] = RoleKeys(keyIDs: try roleFields.goStringSlice("keyids"), threshold: try roleFields.int("threshold"))
        }
        self.roles = roles
        for base in [RoleName.root, RoleName.targets, RoleName.snapshot, RoleName.timestamp] {
            guard let entry = roles[base] else {
                throw TUFError(.malformed, "root does not define the \(base) role", role: role)
            }
            guard entry.threshold >= 1 else {
                throw TUFError(.threshold, "root gives the \(base) role threshold \(entry.threshold); it must be at least 1", role: role)
            }
            for id in entry.keyIDs where keys[id] == nil {
                throw TUFError(.malformed, "root lists key \(id) for \(base) but does not define it", role: role)
            }
        }
    }

    /// The `signed` object as Notary writes it.
    public var json: JSONValue {
        .object([
            "_type": .string(Root.type),
            "consistent_snapshot": .bool(consistentSnapshot),
            "expires": .string(expires.text),
            "keys": .object(keys.mapValues { $0.json }),
            "roles": .object(roles.mapValues { $0.json }),
            "version": .int(version),
        ])
    }

    /// The keys and threshold of a base role.
    public func roleKeys(_ role: String) throws -> (keys: [String: TUFKey], threshold: Int64) {
        guard let entry = roles[role] else { throw TUFError(.notFound, "root does not define the \(role) role", role: role) }
        var keys: [String: TUFKey] = [:]
        for id in entry.keyIDs { if let key = self.keys[id] { keys[id] = key } }
        return (keys, entry.threshold)
    }
}
