/// The snapshot role's `signed` object (reference §3.6): hashes of root, targets and every
/// delegation file, keyed by role name.
public struct Snapshot: Sendable {
    public static let type = "Snapshot"
    public var version: Int64
    public var expires: TUFTime
    public var meta: [String: FileMeta]

    public init(version: Int64, expires: TUFTime, meta: [String: FileMeta]) {
        self.version = version
        self.expires = expires
        self.meta = meta
    }

    /// Parses a snapshot `signed` object. Throws `.wrongType`, `.malformed` (also when `root` or
    /// `targets` is missing or lacks sha256).
    public init(signed value: JSONValue) throws {
        let role = RoleName.snapshot
        let fields = try JSONFields(value, context: role, role: role)
        let common = try CommonFields(fields, expectedType: Snapshot.type, role: role)
        version = common.version
        expires = common.expires
        var meta: [String: FileMeta] = [:]
        for (name, entry) in try fields.goMap("meta") {
            meta[name] = try FileMeta(json: entry, context: "snapshot meta \"\(RoleName.printable(name))\"", role: role)
        }
        for required in [RoleName.root, RoleName.targets] where meta[required]?.hashes["sha256"] == nil {
            throw TUFError(.malformed, "snapshot does not list a sha256 for \(required)", role: role)
        }
        self.meta = meta
    }

    public var json: JSONValue {
        .object([
            "_type": .string(Snapshot.type),
            "expires": .string(expires.text),
            "meta": .object(meta.mapValues { $0.json }),
            "version": .int(version),
        ])
    }
}
