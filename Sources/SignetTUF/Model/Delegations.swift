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
