/// The root role of a TUF 1.0 repository (TUF 1.0 §4.3): the keys and thresholds of `root`,
/// `timestamp`, `snapshot` and `targets`, and whether the repository uses consistent snapshots.
public struct TUF1Root: Sendable {
    public static let type = "root"
    public static let topLevelRoles = ["root", "timestamp", "snapshot", "targets"]
    public var version: Int64
    public var expires: TUFTime
    public var specVersion: String
    /// `consistent_snapshot`; absent reads as false (python-tuf). When true, snapshot, targets and
    /// delegated metadata are fetched as `VERSION.ROLE.json` and targets as `HASH.NAME`.
    public var consistentSnapshot: Bool
    public var keys: [String: TUF1Key]
    /// Role name → keys and threshold; the four top-level roles are required.
    public var roles: [String: TUF1RoleKeys]

    /// Parses a root `signed` object; unknown members are allowed (they are signed, not read).
    /// - Throws: `TUFError(.wrongType)`, `.malformed` (wrong shape, a top-level role missing, a key
    ///   ID repeated or undefined), `.badKeyID`, `.threshold` (below 1), `.tooLarge`.
    public init(signed value: JSONValue) throws {
        let role = Self.type
        let fields = try JSONFields(value, context: "root", role: role)
        let common = try TUF1CommonFields(fields, type: Self.type, role: role)
        version = common.version
        expires = common.expires
        specVersion = common.specVersion
        if let flag = fields.optional("consistent_snapshot") {
            guard let flag = flag.boolValue else { throw fields.wrongType("consistent_snapshot", "a boolean", flag) }
            consistentSnapshot = flag
        } else {
            consistentSnapshot = false
        }
        keys = try TUF1Keys.parse(try fields.object("keys"), context: "root", role: role)
        var roles: [String: TUF1RoleKeys] = [:]
        for (name, object) in try fields.object("roles") {
            let roleFields = try JSONFields(object, context: "root role \(RoleName.printable(name))", role: role)
            roles[name] = try TUF1RoleKeys(roleFields, keys: keys, context: "root role \(RoleName.printable(name))", role: role)
        }
        for name in Self.topLevelRoles where ExactName.value(in: roles, for: name) == nil {
            throw TUFError(.malformed, "root does not define the \(name) role", role: role)
        }
        self.roles = roles
    }

    /// Throws unless `file` carries `role`'s threshold of valid signatures by this root's keys for
    /// it (`TUF1Signatures`).
    public func verify(_ file: TUF1Metadata, as role: String) throws {
        guard let entry = ExactName.value(in: roles, for: role) else {
            throw TUFError(.notFound, "root does not define the \(role) role", role: role)
        }
        try TUF1Signatures.verify(file, role: role, keys: keys, of: entry)
    }
}
