/// The timestamp role (TUF 1.0 §4.6): the version (and optionally length and hashes) of the
/// current snapshot, under `meta["snapshot.json"]`.
public struct TUF1Timestamp: Sendable {
    public static let type = "timestamp"
    public var version: Int64
    public var expires: TUFTime
    public var snapshotMeta: TUF1MetaFile

    /// - Throws: `TUFError(.wrongType)`, `.malformed` (also without `meta["snapshot.json"]`).
    public init(signed value: JSONValue) throws {
        let role = Self.type
        let fields = try JSONFields(value, context: role, role: role)
        let common = try TUF1CommonFields(fields, type: Self.type, role: role)
        version = common.version
        expires = common.expires
        guard let entry = ExactName.value(in: try fields.object("meta"), for: "snapshot.json") else {
            throw TUFError(.malformed, "timestamp does not list snapshot.json", role: role)
        }
        snapshotMeta = try TUF1MetaFile(json: entry, context: "timestamp meta \"snapshot.json\"", role: role)
    }
}

/// The snapshot role (TUF 1.0 §4.4): the version (and optionally length and hashes) of
/// `targets.json` and of every delegated targets role, keyed `ROLE.json`.
public struct TUF1Snapshot: Sendable {
    public static let type = "snapshot"
    public var version: Int64
    public var expires: TUFTime
    /// `ROLE.json` → its entry.
    public var meta: [String: TUF1MetaFile]

    /// - Throws: `TUFError(.wrongType)`, `.malformed`, `.tooLarge` past
    ///   `MetadataLimits.maxDelegations` + 1 entries.
    public init(signed value: JSONValue) throws {
        let role = Self.type
        let fields = try JSONFields(value, context: role, role: role)
        let common = try TUF1CommonFields(fields, type: Self.type, role: role)
        version = common.version
        expires = common.expires
        let entries = try fields.object("meta")
        guard entries.count <= MetadataLimits.maxDelegations + 1 else {
            throw TUFError(.tooLarge, "snapshot lists \(entries.count) files, over the limit of \(MetadataLimits.maxDelegations + 1)", role: role)
        }
        var meta: [String: TUF1MetaFile] = [:]
        for (name, entry) in entries {
            meta[name] = try TUF1MetaFile(json: entry, context: "snapshot meta \"\(RoleName.printable(name))\"", role: role)
        }
        self.meta = meta
    }

    /// The entry for targets role `role` (`ROLE.json`, byte-exact), or nil.
    public func entry(for role: String) -> TUF1MetaFile? {
        ExactName.value(in: meta, for: role + ".json")
    }
}
