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
