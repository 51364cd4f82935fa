import SignetTUF

/// A collection as one trust dir knows it, with its staged changes applied
/// (`ClientRepository.stagedCollection(now:fetch:)`): which roles hold a target, what a delegation
/// lists, which names a role may sign, and the role `add` chooses by default. Commands consult it
/// before staging so that a change that would do nothing is refused when it is staged, not
/// reported as published.
package struct StagedCollection {
    /// Where the metadata came from.
    package enum Source: Sendable {
        /// The trust dir's cache (a verified update, `init` or a publish wrote it).
        case cache
        /// A verified update from the server just now (nothing was cached).
        case server
        /// Nowhere: nothing cached, and the server was not asked, could not be reached
        /// (`offlineReason`) or has no such collection.
        case none
    }

    package var gun: String
    package var source: Source
    /// Why the server could not be asked (its unreachable error), when that is why there is no metadata.
    package var offlineReason: String?
    var editor: RepositoryEditor?

    init(gun: String, source: Source, editor: RepositoryEditor?, offlineReason: String?) {
        self.gun = gun
        self.source = source
        self.editor = editor
        self.offlineReason = offlineReason
    }

    /// True when there is metadata to answer from (`source` is not `.none`).
    package var isKnown: Bool { editor != nil }

    /// The targets roles whose content holds target `name` (`targets` first, then by name).
    package func holders(of name: String) -> [String] {
        editor?.holders(of: name) ?? []
    }

    /// Delegation `role` as its parent lists it, and the parent's keys (key ID → key); nil when
    /// not delegated (or nothing is known).
    package func delegation(_ role: String) -> (entry: DelegatedRole, keys: [String: TUFKey])? {
        guard let parent = RoleName.parent(of: role), let parentRole = editor?.targets[parent],
              let entry = parentRole.delegations.roles.first(where: { $0.name == role }) else { return nil }
        return (entry, parentRole.delegations.keys)
    }

    /// The names `role` may sign (`DelegationPaths.effective`); nil when `role` is not known.
    package func effectivePaths(of role: String) -> [String]? {
        guard let editor else { return nil }
        return DelegationPaths.effective(of: role, in: editor.targets)
    }

    /// The target names `role` holds (empty when it holds none or is not known).
    package func targetNames(in role: String) -> [String] {
        (editor?.targets[role]?.targets.keys).map { $0.sorted() } ?? []
    }

    /// True when `keys` holds a key that may sign `role` (root's targets keys for `targets`, the
    /// parent's delegation keys for a delegation).
    package func canSign(_ role: String, keys: KeyStore) -> Bool {
        guard let signing = try? editor?.signingKeys(for: role) else { return false }
        return keys.holdsAny(of: signing.keys)
    }

    /// Docker Content Trust's default role for `add`: `targets/releases` when it is delegated and
    /// a key of it is held here, else `targets` (also when nothing is known).
    package func defaultRole(keys: KeyStore) -> String {
        delegation(RoleName.releases) != nil && canSign(RoleName.releases, keys: keys) ? RoleName.releases : RoleName.targets
    }
}
