/// The timestamp role's `signed` object (reference §3.7): the hashes of the current snapshot.
public struct Timestamp: Sendable {
    public static let type = "Timestamp"
    public var version: Int64
    public var expires: TUFTime
    public var snapshot: FileMeta

    public init(version: Int64, expires: TUFTime, snapshot: FileMeta) {
        self.version = version
        self.expires = expires
        self.snapshot = snapshot
    }

    /// Parses a timestamp `signed` object. Throws `.wrongType`, `.malformed` (also when the
    /// snapshot entry or its sha256 is missing).
    public init(signed value: JSONValue) throws {
        let role = RoleName.timestamp
        let fields = try JSONFields(value, context: role, role: role)
        let common = try CommonFields(fields, expectedType: Timestamp.type, role: role)
        version = common.version
        expires = common.expires
        guard let entry = try fields.goMap("meta")[RoleName.snapshot] else {
            throw TUFError(.malformed, "timestamp does not list the snapshot", role: role)
        }
        snapshot = try FileMeta(json: entry, context: "timestamp meta \"snapshot\"", role: role)
        guard snapshot.hashes["sha256"] != nil else {
            throw TUFError(.malformed, "timestamp does not list a sha256 for the snapshot", role: role)
        }
    }

    public var json: JSONValue {
        .object([
            "_type": .string(Timestamp.type),
            "expires": .string(expires.text),
            "meta": .object([RoleName.snapshot: snapshot.json]),
            "version": .int(version),
        ])
    }
}
