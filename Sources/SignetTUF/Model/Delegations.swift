/// The keys and roles a targets role delegates to. Always present on the wire, even empty.
public struct Delegations: Sendable, Equatable {
    public var keys: [String: TUFKey]
    public var roles: [DelegatedRole]

    public init(keys: [String: TUFKey] = [:], roles: [DelegatedRole] = []) {
        self.keys = keys
        self.roles = roles
    }

    /// The keys of delegated role `entry` (one of `roles`): key ID → key for each key ID the entry
    /// lists, as these delegations define it — the keys whose signatures count toward the
    /// entry's threshold (reference §3.5 and §3.11; Notary `tuf/data/targets.go`,
    /// `BuildDelegationRole`). A key defined here but listed only for another delegation is not
    /// one of them. `Targets(signed:role:)` refuses an entry listing a key ID that is not defined.
    public func keys(of entry: DelegatedRole) -> [String: TUFKey] {
        var listed: [String: TUFKey] = [:]
        for id in entry.keyIDs { listed[id] = keys[id] }
        return listed
    }

    var json: JSONValue {
        .object(["keys": .object(keys.mapValues { $0.json }), "roles": .array(roles.map { $0.json })])
    }
}
