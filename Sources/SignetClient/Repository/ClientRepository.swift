import FoundationEssentials
import SignetCrypto
import SignetTUF

/// The release engineer's view of one collection: its cached metadata and staged changes in the
/// trust dir, its keys, and the trust server. Implements Notary's client workflows: init, the
/// verified update (with the cache as fallback), publish as a rebase, key rotation, delete.
package struct ClientRepository {
    package var gun: String
    package var trustDir: TrustDirectory
    package var keys: KeyStore
    package var server: RemoteServer
    /// Messages for the user (warnings, progress), one line each.
    package var notice: (String) -> Void = { _ in }
    /// Called as a publish applies its staged changes: (applied so far, all of them).
    package var progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }

    package init(gun: String, trustDir: TrustDirectory, keys: KeyStore, server: RemoteServer) throws {
        try GUN.validate(gun)
        self.gun = gun
        self.trustDir = trustDir
        self.keys = keys
        self.server = server
    }

    package var changelist: Changelist {
        get throws { Changelist(directory: try trustDir.changelistDirectory(gun)) }
    }

    // MARK: - Init

    /// Creates root (self-signed certificate CN=GUN, 10 years), targets and snapshot keys (or asks the
    /// server for the snapshot key), gets the timestamp key from the server, signs root, targets and
    /// snapshot v1 into the cache. Nothing is uploaded until `publish`.
    /// - Returns: the root key's canonical ID.
    @discardableResult
    package func initialize(rootKey: PrivateKey?, rootCertificate: Certificate?, serverManagedSnapshot: Bool, now: TUFTime) throws -> String {
        if try trustDir.cachedMetadata(gun, role: RoleName.root) != nil {
            throw ClientError(.usage, "\(gun) is already initialized in \(trustDir.url.path); use `signet delete \(gun)` to start over")
        }
        // Refuse a certificate the server and every client would refuse, before anything is written.
        if let rootCertificate {
            if let problem = RootRules.problem(with: rootCertificate, gun: gun, at: now) {
                throw ClientError(.usage, "the root certificate cannot sign \(gun): \(problem)")
            }
            if let rootKey, rootCertificate.publicKey != rootKey.publicKey {
                throw ClientError(.usage, "the root certificate does not match the root key")
            }
        }
        // The server's keys next: when it cannot be reached or refuses, no key has been made or
        // stored yet and the trust dir is left as it was.
        let timestampKey = try server.serverKey(RoleName.timestamp)
        let serverSnapshotKey = serverManagedSnapshot ? try server.serverKey(RoleName.snapshot) : nil
        // Root key: given, else the first root key in the store, else a new one.
        let rootPrivate: PrivateKey
        if let rootKey {
            rootPrivate = rootKey
            if keys.find(TUFKey(publicKey: rootKey.publicKey).id) == nil { try keys.save(rootKey, role: RoleName.root, gun: nil) }
        } else if let stored = keys.list().first(where: { $0.role == RoleName.root }) {
            rootPrivate = try keys.load(stored)
        } else {
            rootPrivate = try keys.generate(role: RoleName.root, gun: nil)
        }
        let certificate: Certificate
        if let rootCertificate {
            guard rootCertificate.publicKey == rootPrivate.publicKey else {
                throw ClientError(.usage, "the root certificate does not match the root key")
            }
            certificate = rootCertificate
        } else {
            certificate = try Certificate.selfSigned(commonName: gun, key: rootPrivate, notBefore: now.date,
                                                     notAfter: now.date.addingTimeInterval(Double(Expiry.rootSeconds)))
        }
        let rootKeyJSON = try TUFKey(certificate: certificate)
        let targetsPrivate = try keys.generate(role: RoleName.targets, gun: gun)
        let targetsKey = TUFKey(publicKey: targetsPrivate.publicKey)
        let snapshotKey: TUFKey
        var snapshotSigner: RoleSigner?
        if let serverSnapshotKey {
            snapshotKey = serverSnapshotKey
        } else {
            let snapshotPrivate = try keys.generate(role: RoleName.snapshot, gun: gun)
            snapshotKey = TUFKey(publicKey: snapshotPrivate.publicKey)
            snapshotSigner = RoleSigner(key: snapshotKey, privateKey: snapshotPrivate)
        }
        var keyMap: [String: TUFKey] = [:]
        for key in [rootKeyJSON, targetsKey, snapshotKey, timestampKey] { keyMap[key.id] = key }
        let root = Root(version: 1, expires: now.adding(seconds: Expiry.rootSeconds), keys: keyMap, roles: [
            RoleName.root: RoleKeys(keyIDs: [rootKeyJSON.id], threshold: 1),
            RoleName.targets: RoleKeys(keyIDs: [targetsKey.id], threshold: 1),
            RoleName.snapshot: RoleKeys(keyIDs: [snapshotKey.id], threshold: 1),
            RoleName.timestamp: RoleKeys(keyIDs: [timestampKey.id], threshold: 1),
        ])
        var editor = RepositoryEditor(gun: gun, root: root, rootFile: MetadataFile(signed: root.json, signatures: []),
                                      targets: [RoleName.targets: Targets(version: 0, expires: now)],
                                      files: [:], snapshot: nil, isNew: true)
        try editor.signRoot(with: [RoleSigner(key: rootKeyJSON, privateKey: rootPrivate)], now: now)
        try editor.signTargets(RoleName.targets, with: [RoleSigner(key: targetsKey, privateKey: targetsPrivate)], now: now)
        if let snapshotSigner { try editor.signSnapshot(with: [snapshotSigner], now: now) }
        for (role, bytes) in editor.files { try trustDir.cacheMetadata(gun, role: role, bytes: bytes) }
        return TUFKey(publicKey: rootPrivate.publicKey).id
    }

    // MARK: - Verified update

    /// The full verified update from the server (cached root as the trust anchor, cached versions
    /// as minimums), caching what verified. When the server cannot be reached, the same update
    /// runs against the cache, with a warning. `allowExpiredRoot` is for renewing root only
    /// (`TrustUpdater.allowExpiredRoot`); `pinFollowsRotation` is `TrustUpdater.pinFollowsRotation`.
    package func update(pin: RootPin?, now: TUFTime, allowCache: Bool = true, allowExpiredRoot: Bool = false,
                        pinFollowsRotation: Bool = false) throws -> VerifiedCollection {
        // The cache is read once per update: trust anchor, rollback minimums, by-hash hits, and
        // which files need rewriting all come from this one read.
        let cached = trustDir.cachedFiles(gun)
        let trustedRoot = cached[RoleName.root]
        let updater = TrustUpdater(gun: gun, now: now, pin: pin, trustedRoot: trustedRoot,
                                   minimumVersions: TrustDirectory.versions(of: cached), trustedSnapshot: cached[RoleName.snapshot],
                                   allowExpiredRoot: allowExpiredRoot, pinFollowsRotation: pinFollowsRotation)
        do {
            let collection = try updater.update(from: CacheFirstFetcher(remote: server, cached: cached))
            try cache(collection, previous: cached)
            return collection
        } catch let error as ClientError where error.code == .unreachable && allowCache {
            guard trustedRoot != nil else { throw error }
            notice("\(error.message); using the cached trust data for \(gun)")
            let offline = TrustUpdater(gun: gun, now: now, pin: pin, trustedRoot: trustedRoot, pinFollowsRotation: pinFollowsRotation)
            return try offline.update(from: DirectoryFetcher(directory: try trustDir.metadataDirectory(gun)))
        }
    }

    func cache(_ collection: VerifiedCollection, previous: [String: [UInt8]]) throws {
        for (role, bytes) in collection.files {
            // Unchanged files are not rewritten (each write is a temporary file, fsync and rename).
            if previous[role] == bytes { continue }
            try trustDir.cacheMetadata(gun, role: role, bytes: bytes)
        }
        // A cached delegation counts as trusted before (a snapshot may not drop it); once no
        // verified parent delegates it any more, it is forgotten, so that re-adding it later is
        // not mistaken for a dropped role. Delegations skipped with a warning (or under a skipped
        // parent) keep their file and so their rollback protection.
        for role in previous.keys where RoleName.isDelegation(role) && collection.files[role] == nil {
            guard let parent = RoleName.parent(of: role), let parentTargets = collection.targets[parent],
                  !parentTargets.delegations.roles.contains(where: { $0.name == role }) else { continue }
            try trustDir.removeCachedMetadata(gun, role: role)
        }
    }

    // MARK: - Publish

    /// The editor for a publish: the verified state from the server, or, when the server has no
    /// root (404: a new collection), the state `init` cached. `allowExpiredRoot` when the publish
    /// renews root.
    func editorForPublish(now: TUFTime, allowExpiredRoot: Bool = false) throws -> RepositoryEditor {
        let serverRoot = try server.fetch(.current(role: RoleName.root, maxLength: MetadataLimits.maxRootBytes))
        if serverRoot == nil {
            guard let editor = try cachedEditor() else {
                throw ClientError(.notTrusted, "\(server.baseURL) does not have trust data for \(gun), and it is not initialized here: run `signet init \(gun)` first")
            }
            return editor
        }
        return try Self.editor(from: try update(pin: nil, now: now, allowCache: false, allowExpiredRoot: allowExpiredRoot))
    }

    /// An editor over the trust dir's cached metadata (root, targets, snapshot and the cached
    /// delegations, depth first), marked new; nil when root or targets is not cached. The cache
    /// holds only what a verified update, `init` or a publish wrote.
    func cachedEditor() throws -> RepositoryEditor? {
        guard let rootBytes = try trustDir.cachedMetadata(gun, role: RoleName.root),
              let targetsBytes = try trustDir.cachedMetadata(gun, role: RoleName.targets) else { return nil }
        let rootFile = try MetadataFile.parse(rootBytes, role: RoleName.root)
        let root = try Root(signed: rootFile.signed)
        var files = [RoleName.root: rootBytes, RoleName.targets: targetsBytes]
        var targets = [RoleName.targets: try Targets(signed: try MetadataFile.parse(targetsBytes, role: RoleName.targets).signed, role: RoleName.targets)]
        var snapshot: Snapshot?
        if let snapshotBytes = try trustDir.cachedMetadata(gun, role: RoleName.snapshot) {
            snapshot = try Snapshot(signed: try MetadataFile.parse(snapshotBytes, role: RoleName.snapshot).signed)
            files[RoleName.snapshot] = snapshotBytes
        }
        // Cached delegations, depth first.
        var queue = targets[RoleName.targets]!.delegations.roles.map(\.name)
        while let role = queue.first {
            queue.removeFirst()
            guard let bytes = try trustDir.cachedMetadata(gun, role: role) else { continue }
            let content = try Targets(signed: try MetadataFile.parse(bytes, role: role).signed, role: role)
            targets[role] = content
            files[role] = bytes
            queue += content.delegations.roles.map(\.name)
        }
        return RepositoryEditor(gun: gun, root: root, rootFile: rootFile, targets: targets, files: files, snapshot: snapshot, isNew: true)
    }

    /// An editor over a verified collection (the timestamp left out: the server signs it), with
    /// the roles the server holds untrusted.
    static func editor(from collection: VerifiedCollection) throws -> RepositoryEditor {
        var files = collection.files
        files[RoleName.timestamp] = nil
        var editor = RepositoryEditor(gun: collection.gun, root: collection.root,
                                      rootFile: try MetadataFile.parse(collection.rootBytes, role: RoleName.root),
                                      targets: collection.targets, files: files, snapshot: collection.snapshot, isNew: false)
        editor.untrusted = collection.untrusted
        return editor
    }

    /// Applies staged changes to `editor` in order. Witnesses of roles the server holds untrusted
    /// go first, so that a target staged before the witness lands in the re-signed content. Every
    /// change is applied or the whole call throws; none is skipped.
    /// - Parameter entries: the whole changelist (an entry's index is its number in `signet status`).
    /// - Throws: the editor's or parser's error for the first change that cannot be applied, with
    ///   the change's number, what it is, and how to drop it (`signet reset GUN -n N`) in front;
    ///   `ClientError(.usage)` for changes Signet does not apply (scope `targets/*` from Notary's
    ///   `delegation purge`, type `role`).
    func apply(_ entries: [Changelist.Entry], to editor: inout RepositoryEditor, now: TUFTime) throws {
        for entry in entries where entry.change.type == .witness && editor.untrusted[entry.change.role] != nil {
            try editor.witness(entry.change.role)
        }
        for (index, entry) in entries.enumerated() {
            let change = entry.change
            do {
                try apply(change, to: &editor, now: now)
                progress(index + 1, entries.count)
            } catch {
                let number = index
                let what = "staged change \(number) (\(change.action.rawValue) \(change.type.rawValue)\(change.path.isEmpty ? "" : " \"\(change.path)\"") in \(change.role))"
                let fix = "it stays staged: drop it with `signet reset \(gun) -n \(number)`"
                switch error {
                case let error as TUFError: throw TUFError(error.code, "\(what): \(error.message); \(fix)", role: error.role)
                case let error as ClientError: throw ClientError(error.code, "\(what): \(error.message); \(fix)")
                default: throw error
                }
            }
        }
    }

    private func apply(_ change: Change, to editor: inout RepositoryEditor, now: TUFTime) throws {
        switch change.type {
        case .target:
            guard change.role != "targets/*" else {
                throw ClientError(.usage, "Signet does not apply target changes to every delegation (scope targets/*)")
            }
            switch change.action {
            case .create, .update:
                guard let data = change.data else { throw ClientError(.usage, "staged target \(change.path) has no data") }
                try editor.addTarget(change.path, meta: try Change.parseTargetData(data, target: change.path), role: change.role, now: now)
            case .delete:
                try editor.removeTarget(change.path, role: change.role, now: now, force: change.isForcedRemoval)
            }
        case .delegation:
            switch change.action {
            case .create, .update:
                try editor.updateDelegation(change.role, edit: try Change.parseDelegationData(change.data, role: change.role), now: now)
            case .delete:
                try editor.removeDelegation(change.role, now: now)
            }
        case .witness where change.role == RoleName.root:
            try renewRoot(&editor, now: now)
        case .witness:
            try editor.witness(change.role)
        case .role:
            throw ClientError(.usage, "Signet does not apply root role changes from a changelist (Notary keeps them in memory); use `signet key rotate \(gun) ROLE`")
        }
    }

    /// The collection as this trust dir knows it with the staged changes applied: what `add`,
    /// `remove` and `delegation remove` consult before staging.
    ///
    /// The metadata comes from the cache (written only by a verified update, `init` or a
    /// publish). When nothing is cached and `fetch` is true, a verified update from the server
    /// (trust on first use, as `list`) fills the cache first; when the server cannot be reached
    /// the result has no metadata and says why (`offlineReason`); when the server has no such
    /// collection it has no metadata either. Staged changes that would not apply are left out of
    /// the view (publish reports them).
    /// - Throws: a cache file that does not parse, and the update's errors other than
    ///   unreachable (`ClientError(.unreachable)`) and not found (`TUFError(.notFound)`).
    package func stagedCollection(now: TUFTime, fetch: Bool) throws -> StagedCollection {
        var editor = try cachedEditor()
        var source = StagedCollection.Source.cache
        var offlineReason: String?
        if editor == nil {
            source = .none
            if fetch {
                do {
                    editor = try Self.editor(from: try update(pin: nil, now: now))
                    source = .server
                } catch let error as ClientError where error.code == .unreachable {
                    offlineReason = error.message
                } catch let error as TUFError where error.code == .notFound {
                    // The server has no such collection (yet).
                }
            }
        }
        guard var editor else { return StagedCollection(gun: gun, source: source, editor: nil, offlineReason: offlineReason) }
        // A root witness re-signs root with the root key: not something a preview may unlock.
        for entry in try changelist.entries() where !(entry.change.type == .witness && entry.change.role == RoleName.root) {
            try? apply([entry], to: &editor, now: now)
        }
        return StagedCollection(gun: gun, source: source, editor: editor, offlineReason: offlineReason)
    }

    /// Signs every dirty role, the snapshot when its key is held, and uploads them in one POST.
    /// - Returns: the roles uploaded.
    func signAndUpload(_ editor: inout RepositoryEditor, now: TUFTime) throws -> [String] {
        // Decrypt every key this publish will use at once (targets roles and snapshot) instead of
        // one after the other; errors are still thrown below, in the same order as before.
        var needed: [TUFKey] = []
        for role in editor.dirty.sorted() where role != RoleName.root && role != RoleName.snapshot && editor.targets[role] != nil {
            needed += (try? editor.signingKeys(for: role).keys) ?? []
        }
        needed += (try? editor.root.roleKeys(RoleName.snapshot).keys.values).map(Array.init) ?? []
        let unlocked = keys.unlock(needed)
        for role in editor.dirty.sorted() where role != RoleName.root && role != RoleName.snapshot {
            guard editor.targets[role] != nil else { continue }
            let (roleKeys, _) = try editor.signingKeys(for: role)
            guard !roleKeys.isEmpty else {
                throw ClientError(.key, "\(role) has no keys in \(gun) (its last key was removed), so nothing can sign it: add one with `signet delegation add \(gun) \(role) KEYFILE` first")
            }
            let signers = try keys.signers(for: roleKeys, unlocked: unlocked)
            guard !signers.isEmpty else {
                let needed = roleKeys.compactMap { try? $0.canonicalID() }
                // A file named after one of those key IDs that could not be used says why.
                let unusable = keys.unusableKeyFiles().filter { needed.contains($0.file.deletingPathExtension().lastPathComponent) }
                    .map { "; \($0.file.path) is not a usable key file: \($0.reason)" }.joined()
                throw ClientError(.key, "no signing key for \(role) of \(gun): need one of \(needed.joined(separator: ", "))\(unusable)")
            }
            try editor.signTargets(role, with: signers, now: now)
        }
        var upload: [String] = []
        if editor.isNew {
            upload = [RoleName.root] + editor.targets.keys.filter { editor.files[$0] != nil }.sorted()
        } else {
            if editor.dirty.contains(RoleName.root) { upload.append(RoleName.root) }
            upload += editor.dirty.filter { $0 != RoleName.root && $0 != RoleName.snapshot && editor.files[$0] != nil }.sorted()
        }
        let snapshotKeys = Array(try editor.root.roleKeys(RoleName.snapshot).keys.values)
        if keys.holdsAny(of: snapshotKeys) {
            try editor.signSnapshot(with: try keys.signers(for: snapshotKeys, unlocked: unlocked), now: now)
            upload.append(RoleName.snapshot)
        }
        try server.publish(upload.map { ($0, editor.files[$0]!) })
        for role in upload { try trustDir.cacheMetadata(gun, role: role, bytes: editor.files[role]!) }
        return upload
    }

    /// Publishes the staged changes (Notary's rebase, reference §1.2). The changelist is cleared
    /// only after the server accepted the upload.
    /// - Returns: the roles uploaded (empty when there was nothing to publish).
    @discardableResult
    package func publish(now: TUFTime) throws -> [String] {
        let list = try changelist
        let entries = try list.entries()
        let renewsRoot = entries.contains { $0.change.type == .witness && $0.change.role == RoleName.root }
        var editor = try editorForPublish(now: now, allowExpiredRoot: renewsRoot)
        if entries.isEmpty && !editor.isNew { return [] }
        try apply(entries, to: &editor, now: now)
        // The targets roles that remain after the staged changes (removed delegations are gone).
        let remainingTargetsRoles = Set(editor.targets.keys)
        let uploaded = try signAndUpload(&editor, now: now)
        try list.remove(entries)
        // Drop cached files of delegations that no longer exist.
        for (role, _) in trustDir.cachedVersions(gun) where RoleName.isDelegation(role) && !remainingTargetsRoles.contains(role) {
            try trustDir.removeCachedMetadata(gun, role: role)
        }
        return uploaded
    }

    // MARK: - Key rotation

    /// Rotates the key of base role `role` and publishes only that change (Notary `key rotate`).
    /// root and targets keys are made here (or `newKey`); snapshot here or on the server
    /// (`serverManaged`); timestamp always on the server (POST `timestamp.key`).
    /// - Returns: the new key's TUF key ID.
    @discardableResult
    package func rotate(role: String, serverManaged: Bool, newKey: PrivateKey?, now: TUFTime) throws -> String {
        guard RoleName.baseRoles.contains(role) else {
            throw ClientError(.usage, "only root, targets, snapshot and timestamp keys can be rotated, not \(role)")
        }
        if (role == RoleName.root || role == RoleName.targets) && serverManaged {
            throw ClientError(.usage, "the \(role) key must be held locally; --server-managed is for snapshot and timestamp")
        }
        // A new root key is also how an expired root is replaced.
        var editor = try editorForPublish(now: now, allowExpiredRoot: role == RoleName.root)
        guard !editor.isNew else { throw ClientError(.usage, "\(gun) has not been published yet; publish it before rotating keys") }
        let oldRootKeys = Array(try editor.root.roleKeys(RoleName.root).keys.values)
        let oldRootSigners = try keys.signers(for: oldRootKeys)
        guard !oldRootSigners.isEmpty else {
            throw ClientError(.key, "no root key of \(gun) is held here; it is needed to sign the new root")
        }
        let newTUFKey: TUFKey
        var rootSigners = oldRootSigners
        switch role {
        case RoleName.root:
            let privateKey = try newKey ?? PrivateKey.generate(.ecdsa)
            if keys.find(TUFKey(publicKey: privateKey.publicKey).id) == nil { try keys.save(privateKey, role: RoleName.root, gun: nil) }
            let certificate = try Certificate.selfSigned(commonName: gun, key: privateKey, notBefore: now.date,
                                                         notAfter: now.date.addingTimeInterval(Double(Expiry.rootSeconds)))
            newTUFKey = try TUFKey(certificate: certificate)
            rootSigners = oldRootSigners + [RoleSigner(key: newTUFKey, privateKey: privateKey)]
        case RoleName.timestamp:
            // The timestamp key is always the server's, with or without `serverManaged`.
            newTUFKey = try server.serverKey(RoleName.timestamp, create: true)
        case RoleName.snapshot where serverManaged:
            newTUFKey = try server.serverKey(RoleName.snapshot, create: true)
        default:
            let privateKey = try newKey ?? PrivateKey.generate(.ecdsa)
            try keys.save(privateKey, role: role, gun: gun)
            newTUFKey = TUFKey(publicKey: privateKey.publicKey)
        }
        editor.replaceRootKeys(role, with: [newTUFKey])
        try editor.signRoot(with: rootSigners, now: now)
        if role == RoleName.targets { editor.dirty.insert(RoleName.targets) }
        _ = try signAndUpload(&editor, now: now)
        if role == RoleName.snapshot && serverManaged { try trustDir.removeCachedMetadata(gun, role: RoleName.snapshot) }
        return newTUFKey.id
    }

    // MARK: - Root renewal

    /// Re-signs root with the root keys held here: version + 1, a new 10-year expiry (`signet
    /// witness GUN root`, also how an expired root is renewed, notary#598). A root certificate
    /// that would expire before the renewed root is replaced by a new self-signed certificate
    /// (CN = GUN) for the same key; the renewed root is signed by the old and the new entries, so
    /// it is a valid rotation from the old root.
    /// - Throws: `ClientError(.key)` when no root key of the collection is held here.
    func renewRoot(_ editor: inout RepositoryEditor, now: TUFTime) throws {
        guard !editor.isNew else { throw ClientError(.usage, "\(gun) has not been published yet; its root is signed at the first publish") }
        let oldKeys = Array(try editor.root.roleKeys(RoleName.root).keys.values).sorted { $0.id < $1.id }
        let oldSigners = try keys.signers(for: oldKeys)
        guard !oldSigners.isEmpty else {
            throw ClientError(.key, "no root key of \(gun) is held here; it is needed to re-sign root")
        }
        let expires = now.adding(seconds: Expiry.rootSeconds)
        var renewedKeys: [TUFKey] = []
        var newSigners: [RoleSigner] = []
        for key in oldKeys {
            guard let signer = oldSigners.first(where: { $0.key.id == key.id }) else {
                renewedKeys.append(key)  // another holder's key stays listed as it is
                continue
            }
            if let leaf = try? key.leafCertificate(), !Expiry.certificateHasExpired(notAfter: leaf.notAfter, at: expires) {
                renewedKeys.append(key)
                continue
            }
            guard let privateKey = signer.privateKey else {
                throw ClientError(.key, "root key \(key.id.prefix(12)) of \(gun) is held by the signing agent, which signs but cannot make the new root certificate: run with SIGNET_AGENT=off")
            }
            let certificate = try Certificate.selfSigned(commonName: gun, key: privateKey, notBefore: now.date, notAfter: expires.date)
            let renewed = try TUFKey(certificate: certificate)
            renewedKeys.append(renewed)
            newSigners.append(RoleSigner(key: renewed, privateKey: privateKey))
            notice("the root certificate \(key.id.prefix(12)) of \(gun) expires before the renewed root; it is replaced by a new self-signed certificate for the same key")
        }
        editor.replaceRootKeys(RoleName.root, with: renewedKeys)
        try editor.signRoot(with: oldSigners + newSigners, now: now)
    }

    // MARK: - Delete

    /// Deletes the local metadata and changelist (keys are kept); with `remote`, also the server's.
    package func delete(remote: Bool) throws {
        if remote { try server.deleteCollection() }
        try trustDir.deleteCollection(gun)
    }
}

/// The server, except that a request by hash (snapshot, targets, delegations) whose bytes are
/// already the cached file of that role is answered from the trust dir, as Notary's client does.
/// The bytes are identical either way (same SHA-256), and the update checks length, hashes and
/// signatures of whatever it gets; a warm `list` saves two TLS connections.
struct CacheFirstFetcher<Remote: MetadataFetcher>: MetadataFetcher {
    var remote: Remote
    /// The trust dir's cached files, role → bytes (`TrustDirectory.cachedFiles`).
    var cached: [String: [UInt8]]

    func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        if case .hash(let hex, let role, let maxLength) = request,
           let cached = cached[role], cached.count <= maxLength,
           Hex.encode(Digest.sha256(cached)) == hex.lowercased() {
            return cached
        }
        return try remote.fetch(request)
    }
}
