/// One delegated role as its parent lists it (reference §3.5).
public struct DelegatedRole: Sendable, Equatable {
    /// `targets/<name>`, a direct child of the delegating role.
    public var name: String
    public var keyIDs: [String]
    public var threshold: Int64
    /// Target-name prefixes the role may sign (`""` = all). Nil (omitted on the wire) means none.
    public var paths: [String]?

    public init(name: String, keyIDs: [String], threshold: Int64, paths: [String]?) {
        self.name = name
        self.keyIDs = keyIDs
        self.threshold = threshold
        self.paths = paths
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name),
            "keyids": .array(keyIDs.map { .string($0) }),
            "threshold": .int(threshold),
        ]
        if let paths { members["paths"] = .array(paths.map { .string($0) }) }
        return .object(members)
    }

    /// True when one of `paths` is a byte prefix of `target` (`DelegationPaths`; not restricted
    /// by the parent's paths — use `DelegationPaths.effective(of:in:)` for that).
    public func covers(_ target: String) -> Bool {
        DelegationPaths.allows(target, paths: paths ?? [])
    }
}

/// The keys and roles a targets role delegates to. Always present on the wire, even empty.
public struct Delegations: Sendable, Equatable {
    public var keys: [String: TUFKey]
    public var roles: [DelegatedRole]

    public init(keys: [String: TUFKey] = [:], roles: [DelegatedRole] = []) {
        self.keys = keys
        self.roles = roles
    }

    var json: JSONValue {
        .object(["keys": .object(keys.mapValues { $0.json }), "roles": .array(roles.map { $0.json })])
    }
}

/// A targets role or delegated targets role's `signed` object (reference §3.5). Target names are
/// Docker tags; hashes are of the image manifest.
public struct Targets: Sendable {
    public static let type = "Targets"
    public var version: Int64
    public var expires: TUFTime
    /// Target name → length, hashes and optional custom data.
    public var targets: [String: FileMeta]
    public var delegations: Delegations

    public init(version: Int64, expires: TUFTime, targets: [String: FileMeta] = [:], delegations: Delegations = Delegations()) {
        self.version = version
        self.expires = expires
        self.targets = targets
        self.delegations = delegations
    }

    /// Parses a targets `signed` object for role `role`.
    /// - Throws: `TUFError(.wrongType)`, `.malformed` (wrong shape; a delegation that is not a valid
    ///   direct child of `role`; an unknown delegation key ID), `.threshold` (below 1), `.tooLarge`.
    public init(signed value: JSONValue, role: String) throws {
        let fields = try JSONFields(value, context: role, role: role)
        let common = try CommonFields(fields, expectedType: Targets.type, role: role)
        version = common.version
        expires = common.expires
        var targets: [String: FileMeta] = [:]
        for (name, meta) in try fields.goMap("targets") {
            targets[name] = try FileMeta(json: meta, context: "\(role) target \"\(RoleName.printable(name))\"", role: role)
        }
        self.targets = targets
        var delegations = Delegations()
        if let delegationJSON = fields.optional("delegations") {
            let delegationFields = try JSONFields(delegationJSON, context: "\(role) delegations", role: role)
            let keyObjects = try delegationFields.goMap("keys")
            guard keyObjects.count <= MetadataLimits.maxKeys else {
                throw TUFError(.tooLarge, "\(role) delegates to \(keyObjects.count) keys, over the limit of \(MetadataLimits.maxKeys)", role: role)
            }
            for (id, keyJSON) in keyObjects {
                delegations.keys[id] = try TUFKey(json: keyJSON, context: "\(role) delegation key \(id)", role: role)
            }
            let roleList = try delegationFields.goSlice("roles")
            guard roleList.count <= MetadataLimits.maxDelegations else {
                throw TUFError(.tooLarge, "\(role) lists \(roleList.count) delegations, over the limit of \(MetadataLimits.maxDelegations)", role: role)
            }
            for entry in roleList {
                let entryFields = try JSONFields(entry, context: "\(role) delegation", role: role)
                let name = try entryFields.string("name")
                try RoleName.validate(name)
                guard RoleName.parent(of: name) == role else {
                    throw TUFError(.malformed, "\(role) delegates to \(name), which is not its direct child", role: role)
                }
                let paths = entryFields.optional("paths") == nil ? nil : try entryFields.stringArray("paths")
                let delegated = DelegatedRole(name: name, keyIDs: try entryFields.goStringSlice("keyids"),
                                              threshold: try entryFields.int("threshold"), paths: paths)
                guard delegated.threshold >= 1 else {
                    throw TUFError(.threshold, "\(role) gives \(name) threshold \(delegated.threshold); it must be at least 1", role: role)
                }
                for id in delegated.keyIDs where delegations.keys[id] == nil {
                    throw TUFError(.malformed, "\(role) lists key \(id) for \(name) but does not define it", role: role)
                }
                delegations.roles.append(delegated)
            }
        }
        self.delegations = delegations
    }

    /// The `signed` object as Notary writes it (`delegations` always present).
    public var json: JSONValue {
        .object([
            "_type": .string(Targets.type),
            "delegations": delegations.json,
            "expires": .string(expires.text),
            "targets": .object(targets.mapValues { $0.json }),
            "version": .int(version),
        ])
    }
}

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
