import FoundationEssentials
import SignetTUF

/// The role tree of a verified collection (issue 17, `signet status`, `signet expiry`): root,
/// targets, each trusted delegation depth-first, snapshot, timestamp — each with its version,
/// `expires`, the keys that sign it and whether this trust dir holds them.
///
/// The keys are the ones the role's definition lists (root's `roles` for the base roles, the
/// parent's `delegations` for a delegation: `Delegations.keys(of:)`), named by canonical key ID,
/// the name of the private key file (`private/<id>.key`).
package struct RoleTree: Sendable {
    /// One role.
    package struct Role: Sendable {
        /// `root`, `targets`, `targets/releases`, `snapshot`, `timestamp`.
        package var name: String
        package var version: Int64
        package var expires: TUFTime
        package var threshold: Int64
        /// Canonical key IDs (64 hex digits), sorted.
        package var keyIDs: [String]
        /// The subset of `keyIDs` whose private key this trust dir holds.
        package var heldKeyIDs: [String]
        /// Nesting depth: 0 for the base roles, 1 for `targets/x`, 2 for `targets/x/y`.
        package var depth: Int

        /// Seconds until `expires` at `now` (negative once expired).
        package func secondsLeft(at now: TUFTime) -> Int64 { Expiry.secondsLeft(expires, at: now) }
    }

    package var gun: String
    /// Root, targets, delegations (depth-first, as `VerifiedCollection.roleOrder`), snapshot, timestamp.
    package var roles: [Role]

    /// The tree of `collection`.
    /// - Parameter heldKeyIDs: canonical key IDs of the private keys in the trust dir
    ///   (`KeyStore.list()`).
    package init(_ collection: VerifiedCollection, heldKeyIDs: Set<String>) {
        gun = collection.gun
        func keys(_ keys: [String: TUFKey]) -> [String] {
            Set(keys.values.map { (try? $0.canonicalID()) ?? $0.id }).sorted()
        }
        func role(_ name: String, version: Int64, expires: TUFTime, threshold: Int64, keyIDs: [String], depth: Int) -> Role {
            Role(name: name, version: version, expires: expires, threshold: threshold, keyIDs: keyIDs,
                 heldKeyIDs: keyIDs.filter(heldKeyIDs.contains), depth: depth)
        }
        func base(_ name: String, version: Int64, expires: TUFTime) -> Role {
            let (roleKeys, threshold) = (try? collection.root.roleKeys(name)) ?? ([:], 0)
            return role(name, version: version, expires: expires, threshold: threshold, keyIDs: keys(roleKeys), depth: 0)
        }
        var roles = [base(RoleName.root, version: collection.root.version, expires: collection.root.expires)]
        for name in collection.roleOrder {
            guard let targets = collection.targets[name] else { continue }
            if name == RoleName.targets {
                roles.append(base(name, version: targets.version, expires: targets.expires))
                continue
            }
            let parent = String(name[..<(name.lastIndex(of: "/") ?? name.endIndex)])
            let entry = collection.targets[parent]?.delegations.roles.first { ExactName.equal($0.name, name) }
            let delegated = entry.flatMap { collection.targets[parent]?.delegations.keys(of: $0) } ?? [:]
            roles.append(role(name, version: targets.version, expires: targets.expires, threshold: entry?.threshold ?? 0,
                              keyIDs: keys(delegated), depth: name.utf8.filter { $0 == UInt8(ascii: "/") }.count))
        }
        if let snapshot = collection.snapshot { roles.append(base(RoleName.snapshot, version: snapshot.version, expires: snapshot.expires)) }
        if let timestamp = collection.timestamp { roles.append(base(RoleName.timestamp, version: timestamp.version, expires: timestamp.expires)) }
        self.roles = roles
    }

    /// The roles that expire within `seconds` of `now` (`Expiry.expiresWithin`; the timestamp
    /// within `Expiry.checkWindowSeconds`), in tree order.
    package func expiring(within seconds: Int64, at now: TUFTime) -> [Role] {
        roles.filter { Expiry.expiresWithin($0.expires, seconds: Expiry.checkWindowSeconds(of: $0.name, requested: seconds), at: now) }
    }

    /// The roles inside their warning window (`Expiry.warningWindowSeconds(of:)`: 30 days, or a
    /// quarter of the timestamp's lifetime), in tree order.
    package func nearExpiry(at now: TUFTime) -> [Role] {
        roles.filter { Expiry.expiresWithin($0.expires, seconds: Expiry.warningWindowSeconds(of: $0.name), at: now) }
    }

    /// How `role` of `gun` is renewed: the server re-signs the timestamp; the snapshot is
    /// re-signed by a publish when this trust dir holds its key, else by its owner's publish or
    /// the server when it holds the snapshot key; the others by their owner's witness and publish.
    package static func renewal(of role: Role, gun: String) -> String {
        let publish = "signet witness \(gun) \(role.name == RoleName.snapshot ? RoleName.targets : role.name) && signet publish \(gun)"
        switch role.name {
        case RoleName.timestamp:
            return "the trust server re-signs it (signet serve ahead of expiry, a notary-server on the first read after it)"
        case RoleName.snapshot where role.heldKeyIDs.isEmpty:
            return "\(publish) by its owner, or the trust server when it holds the snapshot key"
        default:
            return publish
        }
    }
}
