/// A collection after a successful update: every role here passed its checks.
public struct VerifiedCollection: Sendable {
    public var gun: String
    public var root: Root
    public var rootBytes: [UInt8]
    /// Root versions walked through during this update, in order (each one's bytes are dropped
    /// once the next is verified, so the walk takes constant memory).
    public var rootVersionsWalked: [Int64] = []
    /// The root version that met the update's pin: this root's own, or an earlier version it was
    /// verified to descend from (`TrustUpdater.pinFollowsRotation`); nil without a pin.
    public var rootPinnedVersion: Int64?
    public var timestamp: Timestamp!
    public var snapshot: Snapshot!
    /// Targets role name → its verified content (`targets` and each trusted delegation).
    public var targets: [String: Targets] = [:]
    /// Role name → the prefixes its targets must start with to count (parent-restricted).
    public var effectivePaths: [String: [String]] = [:]
    /// Targets roles in depth-first order, `targets` first.
    public var roleOrder: [String] = []
    /// Role name → verified file bytes (timestamp, snapshot, targets roles), for the cache.
    public var files: [String: [UInt8]] = [:]
    /// Non-fatal findings (skipped delegations), one line each.
    public var warnings: [String] = []
    /// Delegated roles that were skipped although their file is the one the snapshot lists (below
    /// threshold, say after a key swap, or expired): never trusted, never searched. A publish needs
    /// them so as not to re-create such a role at version 1 behind the server's (notary#1500).
    public var untrusted: [String: UntrustedRole] = [:]

    init(gun: String, root: Root, rootBytes: [UInt8]) {
        self.gun = gun
        self.root = root
        self.rootBytes = rootBytes
        files[RoleName.root] = rootBytes
    }

    mutating func add(role: String, targets: Targets, bytes: [UInt8], effectivePaths: [String]) {
        self.targets[role] = targets
        self.effectivePaths[role] = effectivePaths
        files[role] = bytes
        roleOrder.append(role)
    }

    /// A target found in a role.
    public struct Match: Sendable {
        public var name: String
        public var role: String
        public var meta: FileMeta
    }

    /// The order roles are searched: `targets/releases` first (Docker Content Trust's preference),
    /// then `targets`, then the other delegations depth-first; or exactly `roles` when given.
    public func searchOrder(roles: [String]? = nil) -> [String] {
        if let roles { return roles.filter { targets[$0] != nil } }
        var order: [String] = []
        if targets[RoleName.releases] != nil { order.append(RoleName.releases) }
        order.append(contentsOf: roleOrder.filter { $0 != RoleName.releases })
        return order
    }

    /// The target `name` (byte-exact, `ExactName`) from the first role in `searchOrder(roles:)`
    /// that has it and may sign it (its name starts with one of the role's effective paths).
    public func lookup(_ name: String, roles: [String]? = nil) -> Match? {
        for role in searchOrder(roles: roles) {
            guard let meta = targets[role].flatMap({ ExactName.value(in: $0.targets, for: name) }), mayContain(role: role, name: name) else { continue }
            return Match(name: name, role: role, meta: meta)
        }
        return nil
    }

    /// Every trusted target, a name taken from the first role in the search order that has it.
    public func list(roles: [String]? = nil) -> [Match] {
        var seen = Set<ExactName.Key>()
        var matches: [Match] = []
        for role in searchOrder(roles: roles) {
            for (name, meta) in targets[role]?.targets ?? [:] where mayContain(role: role, name: name) {
                if seen.insert(ExactName.Key(name)).inserted { matches.append(Match(name: name, role: role, meta: meta)) }
            }
        }
        return matches.sorted { $0.name < $1.name }
    }

    /// Targets whose sha256 equals `digest`, in search order.
    public func targets(withSHA256 digest: [UInt8]) -> [Match] {
        list().filter { $0.meta.hashes["sha256"] == digest }
    }

    private func mayContain(role: String, name: String) -> Bool {
        DelegationPaths.allows(name, paths: effectivePaths[role] ?? [])
    }
}

/// A delegated role's content as the server holds it, which did not verify: what a publish must
/// build past (its version) or may re-sign on request (`witness`), never what is trusted.
public struct UntrustedRole: Sendable {
    /// The role's content as parsed from the file the snapshot lists.
    public var targets: Targets
    /// Why it was skipped, as in the update's warning.
    public var reason: String

    public init(targets: Targets, reason: String) {
        self.targets = targets
        self.reason = reason
    }
}
