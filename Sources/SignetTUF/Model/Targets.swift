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
