import FoundationEssentials
import SignetCrypto

/// Editing a collection's metadata before a publish (Notary `tuf/tuf.go`, reference §1.2 "publish
/// works like a rebase"): the verified (or freshly created) roles, target and delegation edits that
/// mark roles dirty, and signing of dirty roles and the snapshot. No I/O.
public struct RepositoryEditor {
    public var gun: String
    public var root: Root
    /// The root file as it stands (re-serialized unchanged unless root is dirty).
    public var rootFile: MetadataFile
    /// Targets role name → content (`targets` and delegations).
    public var targets: [String: Targets]
    /// Role name → current file bytes (root, targets roles, snapshot), as published or cached.
    public var files: [String: [UInt8]]
    public var snapshot: Snapshot?
    /// Roles changed since load, to be re-signed.
    public var dirty: Set<String> = []
    /// True when the server has no repository yet: signing keeps version 1 instead of bumping.
    public var isNew: Bool
    /// Delegated roles the server holds but that did not verify (`VerifiedCollection.untrusted`):
    /// editing one needs its content re-signed first (`witness`), see `editable`.
    public var untrusted: [String: UntrustedRole] = [:]

    public init(gun: String, root: Root, rootFile: MetadataFile, targets: [String: Targets], files: [String: [UInt8]],
                snapshot: Snapshot?, isNew: Bool) {
        self.gun = gun
        self.root = root
        self.rootFile = rootFile
        self.targets = targets
        self.files = files
        self.snapshot = snapshot
        self.isNew = isNew
    }

    // MARK: - Targets

    /// The role's content, creating an empty delegated role that its parent already delegates.
    /// - Throws: `TUFError(.notFound)` when `role` is a delegation its parent does not list.
    mutating func editable(_ role: String, now: TUFTime) throws -> Targets {
        if let existing = targets[role] { return existing }
        if let skipped = untrusted[role] {
            // Re-creating the role would start at version 1, behind the server's, and be refused
            // forever (notary#1500). Its content is not trusted, so it is carried over only when
            // there is nothing in it, or when the user asks for it to be re-signed (`witness`).
            guard skipped.targets.targets.isEmpty && skipped.targets.delegations.roles.isEmpty else {
                let names = skipped.targets.targets.keys.sorted()
                let shown = names.prefix(5).map(RoleName.printable).joined(separator: ", ") + (names.count > 5 ? ", … (\(names.count) in all)" : "")
                let what = names.isEmpty ? "its delegations" : "its targets (\(shown))"
                throw TUFError(.threshold, "\(role) v\(skipped.targets.version) on the server is not trusted (\(skipped.reason)), so \(what) would be lost by this publish; "
                    + "to keep them, re-sign them with the role's current keys: `signet witness \(gun) \(role)`, then publish again", role: role)
            }
            return adopt(role)
        }
        try RoleName.validate(role)
        guard let parent = RoleName.parent(of: role), let parentRole = targets[parent],
              parentRole.delegations.roles.contains(where: { $0.name == role }) else {
            throw TUFError(.notFound, "\(role) is not delegated in \(gun); add it with `signet delegation add` first", role: role)
        }
        return Targets(version: 0, expires: now.adding(seconds: Expiry.targetsSeconds))
    }

    /// Sets target `name` in `role` to `meta`.
    /// - Throws: `TUFError(.notFound)` when `role` is a delegation its parent does not list;
    ///   `TUFError(.invalidName)` when `name` breaks `TargetName`'s rule (a change staged by
    ///   another tool), when `name` is outside the paths `role` may sign (`DelegationPaths`; no
    ///   client would trust it — Notary refuses it too: `ErrInvalidRole` "Could not add all
    ///   targets"), or when `role` already holds a different name that Swift would take for the
    ///   same one (Unicode canonical equivalence, e.g. NFC and NFD `café`): names are byte-exact
    ///   (`ExactName`), and one JSON object cannot hold both.
    public mutating func addTarget(_ name: String, meta: FileMeta, role: String, now: TUFTime) throws {
        try TargetName.validate(name)
        // Edit in place: copying the role out and back would copy its whole targets dictionary on
        // every change (quadratic for a publish of many staged targets).
        if let paths = DelegationPaths.effective(of: role, in: targets), !DelegationPaths.allows(name, paths: paths) {
            throw TUFError(.invalidName, "\"\(RoleName.printable(name))\" is outside the paths \(role) may sign in \(gun) (\(DelegationPaths.describe(paths)))", role: role)
        }
        if targets[role] == nil { targets[role] = try editable(role, now: now) }
        if let index = targets[role]!.targets.index(forKey: name), !ExactName.equal(targets[role]!.targets[index].key, name) {
            let existing = RoleName.printable(targets[role]!.targets[index].key)
            throw TUFError(.invalidName, "target name \"\(RoleName.printable(name))\" differs from the target \"\(existing)\" in \(role) only by Unicode normalisation; remove that one first or use its exact bytes", role: role)
        }
        targets[role]!.targets[name] = meta
        dirty.insert(role)
    }

    /// Removes target `name` (byte-exact, `ExactName`) from `role`.
    /// - Parameter force: also when `role` does not hold `name` (the role is still re-signed).
    /// - Throws: `TUFError(.notFound)` when `role` does not hold `name` and `force` is false —
    ///   naming the roles that do hold it — or when `role` is a delegation its parent does not
    ///   list (Notary ignores an absent name; a removal that removes nothing would be reported as
    ///   published while the tag stays trusted); `TUFError(.invalidName)` when `name` breaks
    ///   `TargetName`'s rule and `role` does not hold it (an existing bad name may always be removed).
    public mutating func removeTarget(_ name: String, role: String, now: TUFTime, force: Bool = false) throws {
        if targets[role] == nil { targets[role] = try editable(role, now: now) }
        guard let key = ExactName.storedKey(in: targets[role]!.targets, for: name) else {
            try TargetName.validate(name)
            guard force else {
                throw TUFError(.notFound, "\(role) does not hold \"\(RoleName.printable(name))\" in \(gun) (held by \(Self.describeRoles(holders(of: name))))", role: role)
            }
            dirty.insert(role)
            return
        }
        targets[role]!.targets[key] = nil
        dirty.insert(role)
    }

    /// The targets roles whose content holds target `name`, `targets` first, then by name.
    public func holders(of name: String) -> [String] {
        targets.keys.filter { role in targets[role].map { ExactName.storedKey(in: $0.targets, for: name) != nil } ?? false }.sorted()
    }

    /// `targets, targets/releases`, or `no role`, for messages.
    public static func describeRoles(_ roles: [String]) -> String {
        roles.isEmpty ? "no role" : roles.joined(separator: ", ")
    }

    /// Marks `role` for re-signing (Notary's witness). A role the server holds that did not verify
    /// (after its keys were swapped, say) is re-signed with its content as the server holds it, at
    /// the server's version + 1.
    public mutating func witness(_ role: String) throws {
        if targets[role] == nil, untrusted[role] != nil { _ = adopt(role) }
        guard targets[role] != nil else { throw TUFError(.notFound, "\(role) has no metadata to witness in \(gun)", role: role) }
        dirty.insert(role)
    }

    /// Takes the server's content of untrusted `role` as the role's content, to be re-signed.
    private mutating func adopt(_ role: String) -> Targets {
        let content = untrusted.removeValue(forKey: role)!.targets
        targets[role] = content
        dirty.insert(role)
        return content
    }

    // MARK: - Delegations

    /// One delegation edit (Notary `changelist.TUFDelegation`).
    public struct DelegationEdit: Sendable {
        public var threshold: Int64?
        public var addKeys: [TUFKey] = []
        /// Canonical or TUF key IDs.
        public var removeKeys: [String] = []
        public var addPaths: [String] = []
        public var removePaths: [String] = []
        public var clearPaths = false
        public init() {}
    }

    /// Creates or updates delegation `role` in its parent.
    public mutating func updateDelegation(_ role: String, edit: DelegationEdit, now: TUFTime) throws {
        try RoleName.validate(role)
        guard RoleName.isDelegation(role), let parent = RoleName.parent(of: role) else {
            throw TUFError(.invalidName, "\(role) is not a delegation role (targets/<name>)", role: role)
        }
        var parentRole = try editable(parent, now: now)
        var entry = parentRole.delegations.roles.first(where: { $0.name == role })
            ?? DelegatedRole(name: role, keyIDs: [], threshold: 1, paths: nil)
        for key in edit.addKeys {
            parentRole.delegations.keys[key.id] = key
            if !entry.keyIDs.contains(key.id) { entry.keyIDs.append(key.id) }
        }
        entry = try Self.removing(edit, from: entry, keys: parentRole.delegations.keys, role: role, gun: gun)
        for path in edit.addPaths where !(entry.paths ?? []).contains(where: { ExactName.equal($0, path) }) {
            entry.paths = (entry.paths ?? []) + [path]
        }
        if let threshold = edit.threshold { entry.threshold = threshold }
        guard entry.threshold >= 1 else { throw TUFError(.threshold, "\(role) threshold must be at least 1", role: role) }
        if let index = parentRole.delegations.roles.firstIndex(where: { $0.name == role }) {
            parentRole.delegations.roles[index] = entry
        } else {
            parentRole.delegations.roles.append(entry)
        }
        parentRole.delegations.keys = Self.referencedKeys(parentRole.delegations)
        targets[parent] = parentRole
        dirty.insert(parent)
    }

    /// `entry` with the removals of `edit` applied: its key IDs (TUF or canonical), then
    /// `clearPaths`, then its paths. Every key ID and path to remove must be the entry's own.
    /// - Parameter keys: the parent's delegation keys (key ID → key), for canonical IDs.
    /// - Throws: `TUFError(.notFound)` naming the first key ID or path `entry` does not list and
    ///   the entry's real key IDs (canonical) or paths; a removal that removes nothing would be
    ///   staged and published as if it had done something.
    public static func removing(_ edit: DelegationEdit, from entry: DelegatedRole, keys: [String: TUFKey], role: String, gun: String) throws -> DelegatedRole {
        for id in edit.removeKeys where !lists(entry, keys: keys, keyID: id) {
            throw TUFError(.notFound, "\(role) has no key \(RoleName.printable(id)) in \(gun); its keys are \(describeKeys(entry, keys: keys))", role: role)
        }
        for path in edit.removePaths where !(entry.paths ?? []).contains(where: { ExactName.equal($0, path) }) {
            throw TUFError(.notFound, "\(role) has no path \"\(RoleName.printable(path))\" in \(gun); its paths are \(DelegationPaths.describe(entry.paths))", role: role)
        }
        var result = entry
        result.keyIDs.removeAll { id in edit.removeKeys.contains { keyID(id, keys: keys, isNamed: $0) } }
        if edit.clearPaths { result.paths = [] }
        if !edit.removePaths.isEmpty { result.paths = (result.paths ?? []).filter { path in !edit.removePaths.contains { ExactName.equal($0, path) } } }
        return result
    }

    /// Removes delegation `role` from its parent.
    /// - Throws: `TUFError(.invalidName)` for a name that is not a delegation;
    ///   `TUFError(.notFound)` when the parent does not delegate `role` (nothing to remove).
    public mutating func removeDelegation(_ role: String, now: TUFTime) throws {
        guard let parent = RoleName.parent(of: role) else {
            throw TUFError(.invalidName, "\(role) is not a delegation role", role: role)
        }
        var parentRole = try editable(parent, now: now)
        guard parentRole.delegations.roles.contains(where: { $0.name == role }) else {
            throw TUFError(.notFound, "\(role) is not delegated in \(gun): there is no delegation to remove", role: role)
        }
        parentRole.delegations.roles.removeAll { $0.name == role }
        parentRole.delegations.keys = Self.referencedKeys(parentRole.delegations)
        targets[parent] = parentRole
        targets[role] = nil
        untrusted[role] = nil
        files[role] = nil
        snapshot?.meta[role] = nil
        dirty.insert(parent)
    }

    /// True when `entry` lists `keyID`, as a TUF key ID or as the canonical key ID of its key.
    public static func lists(_ entry: DelegatedRole, keys: [String: TUFKey], keyID: String) -> Bool {
        entry.keyIDs.contains { Self.keyID($0, keys: keys, isNamed: keyID) }
    }

    /// True when `name` (what a user typed, or a changelist's `remove_keys` entry) is the TUF key
    /// ID `id` or the canonical key ID of the key `keys[id]` (Notary's `delegation remove` takes
    /// canonical IDs; both are exact, full-length hex).
    static func keyID(_ id: String, keys: [String: TUFKey], isNamed name: String) -> Bool {
        id == name || ((try? keys[id]?.canonicalID()) ?? nil) == name
    }

    /// The canonical key IDs of `entry`'s keys (what `delegation add` prints and `delegation
    /// remove` takes), or `none`, for messages.
    public static func describeKeys(_ entry: DelegatedRole, keys: [String: TUFKey]) -> String {
        let ids = entry.keyIDs.map { id in ((try? keys[id]?.canonicalID()) ?? nil) ?? id }
        return ids.isEmpty ? "none" : ids.joined(separator: ", ")
    }

    private static func referencedKeys(_ delegations: Delegations) -> [String: TUFKey] {
        let used = Set(delegations.roles.flatMap(\.keyIDs))
        return delegations.keys.filter { used.contains($0.key) }
    }

    /// The keys and threshold that may sign targets role `role`: root's for `targets`, the
    /// parent's delegation entry for delegations.
    public func signingKeys(for role: String) throws -> (keys: [TUFKey], threshold: Int64) {
        if RoleName.baseRoles.contains(role) {
            let (keys, threshold) = try root.roleKeys(role)
            return (Array(keys.values), threshold)
        }
        guard let parent = RoleName.parent(of: role), let parentRole = targets[parent],
              let entry = parentRole.delegations.roles.first(where: { $0.name == role }) else {
            throw TUFError(.notFound, "\(role) is not delegated in \(gun)", role: role)
        }
        // In the entry's key ID order, which is the order the role's signatures are written in.
        let keys = parentRole.delegations.keys(of: entry)
        return (entry.keyIDs.compactMap { keys[$0] }, entry.threshold)
    }

    // MARK: - Root

    /// Replaces the keys of base role `role` in root with `keys` and marks root dirty.
    public mutating func replaceRootKeys(_ role: String, with keys: [TUFKey]) {
        var entry = root.roles[role] ?? RoleKeys(keyIDs: [], threshold: 1)
        let old = Set(entry.keyIDs)
        entry.keyIDs = keys.map(\.id)
        root.roles[role] = entry
        for key in keys { root.keys[key.id] = key }
        let used = Set(root.roles.values.flatMap(\.keyIDs))
        for id in old where !used.contains(id) { root.keys[id] = nil }
        dirty.insert(RoleName.root)
    }

    // MARK: - Signing

    /// Signs root with `signers` (new root keys plus, after a rotation, the previous root keys),
    /// bumping the version (unless new) and setting a 10-year expiry.
    /// - Throws: `TUFError(.tooLarge)` when root is at `MetadataVersion.maximum` (nothing changed).
    public mutating func signRoot(with signers: [RoleSigner], now: TUFTime) throws {
        let version = isNew ? root.version : try MetadataVersion.next(after: root.version, role: RoleName.root)
        var next = root
        next.version = version
        next.expires = now.adding(seconds: Expiry.rootSeconds)
        rootFile = try MetadataSigner.sign(next.json, with: signers)
        root = next
        files[RoleName.root] = try rootFile.serialized()
        dirty.insert(RoleName.root)
    }

    /// Signs targets role `role` (version + 1, or 1 for a new role; 3-year expiry).
    /// - Throws: `TUFError(.notFound)` for a role with no content; `TUFError(.tooLarge)` when the
    ///   role is at `MetadataVersion.maximum` (nothing changed).
    public mutating func signTargets(_ role: String, with signers: [RoleSigner], now: TUFTime) throws {
        guard var content = targets[role] else { throw TUFError(.notFound, "no \(role) metadata to sign", role: role) }
        if content.version == 0 || !isNew { content.version = try MetadataVersion.next(after: content.version, role: role) }
        content.expires = now.adding(seconds: Expiry.targetsSeconds)
        let file = try MetadataSigner.sign(content.json, with: signers)
        targets[role] = content
        files[role] = try file.serialized()
        dirty.insert(role)
    }

    /// Builds and signs the snapshot from the current files: root, targets and every delegation
    /// file, each with length, sha256 and sha512 (version + 1, or 1 when new; 3-year expiry).
    /// - Throws: `TUFError(.tooLarge)` when the snapshot is at `MetadataVersion.maximum`.
    public mutating func signSnapshot(with signers: [RoleSigner], now: TUFTime) throws {
        let version: Int64 = isNew ? max(snapshot?.version ?? 1, 1)
            : try MetadataVersion.next(after: snapshot?.version ?? 0, role: RoleName.snapshot)
        let (next, bytes) = try Snapshot.signed(version: version, meta: Snapshot.meta(describing: files), at: now, by: signers)
        snapshot = next
        files[RoleName.snapshot] = bytes
        dirty.insert(RoleName.snapshot)
    }
}
