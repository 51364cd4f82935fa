import SignetCrypto

/// The TUF 1.0 detailed client workflow (TUF specification 1.0, §5), over injected metadata
/// sources (`TUF1Remote`, `TUF1LocalMetadata`): the update of root, timestamp, snapshot and
/// targets, then the search for a target through delegations.
///
/// The rules it shares with Notary's dialect (`TrustUpdater`) are the same functions:
/// thresholds over distinct key material (`SignatureThreshold.count`, via `TUF1Signatures`),
/// expiry (`Expiry.hasExpired`), the version range and rollback (`MetadataVersion`), a root step's
/// version (`RootRotation.requireVersion`), length and hashes (`LengthAndHashes`) and the size
/// bounds (`MetadataLimits`). The workflows themselves differ (Notary fetches `root.json` first
/// and by hash, walks every delegation eagerly and skips one that fails; TUF 1.0 walks
/// `N.root.json` until 404 and searches delegations lazily per target), so each dialect orders
/// these steps in its own type.
///
/// Steps (`refresh`):
/// 1. §5.2: the trusted root from the local metadata, which must carry its own threshold (its
///    expiry is not judged yet). Nothing is fetched when it does not.
/// 2. §5.3: `N.root.json` for N = trusted + 1, + 2, … until the repository has none (404/403), at
///    most `MetadataLimits.maxRootRotations` versions and `maxRootChainBytes` bytes; each must be
///    signed by the trusted root's threshold of root keys *and* its own, and hold version N; each
///    is stored once verified. §5.3.10: the root reached must not be expired (freeze attack).
///    §5.3.11 (fast-forward recovery): local timestamp and snapshot count only when they verify
///    with the keys of the root reached, so rotating those keys discards them.
/// 3. §5.4: the local timestamp, if it verifies, bounds the new one: `timestamp.json` (at most
///    `maxTimestampBytes`) with the timestamp threshold, version not below the trusted one (an
///    equal version keeps the trusted file), the snapshot version it lists not below the trusted
///    one's; not expired; then stored.
/// 4. §5.5: a local snapshot that verifies, is not expired and is the version timestamp lists is
///    used as it is. Otherwise `VERSION.snapshot.json` (consistent snapshots) or `snapshot.json`,
///    bounded by the listed length, checked against the listed length and hashes, the snapshot
///    threshold, every targets file the trusted snapshot lists still listed at no lower version,
///    not expired, the version timestamp lists; then stored.
/// 5. §5.6: `targets` as in 4 against the snapshot's entry, with root's targets keys.
///
/// `targetInfo` (§5.6.7): a pre-order depth-first search from `targets`, children in listed order,
/// only those whose `paths` / `path_hash_prefixes` cover the target, a terminating child ending
/// the search after its subtree, each role name visited once per search, at most
/// `MetadataLimits.maxDelegations` roles. A delegated role is loaded as in 5 against its
/// delegator's keys for it. A role reached through several delegators (a "diamond") is verified
/// against the delegator of the path being searched, every time: what one path verified never
/// vouches for another (`verified` is keyed by the role *and* the delegator's verified bytes).
public final class TUF1Updater {
    private let local: any TUF1LocalMetadata
    private let remote: (any TUF1Remote)?
    /// The instant expiry is judged at, fixed for the whole update (§5.1).
    public let now: TUFTime

    public private(set) var root: TUF1Root?
    public private(set) var timestamp: TUF1Timestamp?
    public private(set) var snapshot: TUF1Snapshot?
    /// Role versions fetched and stored in this run, in order (for `--verbose` and tests).
    public private(set) var stored: [String] = []

    /// `role \0 delegator ID` → the role's verified content and its own ID (its name and the
    /// SHA-256 of its bytes), the delegator ID of its children.
    private var verified: [String: (targets: TUF1Targets, id: String)] = [:]
    /// Role → bytes fetched from the repository in this run (fetched once, verified per path).
    private var fetched: [String: [UInt8]] = [:]
    private var refreshed = false

    /// - Parameters:
    ///   - local: the trusted metadata; the root must be there (`signet tuf init`).
    ///   - remote: the repository; nil to verify offline from `local` alone (nothing newer is looked
    ///     for: the local timestamp, snapshot and targets must be final).
    ///   - now: the instant expiry is judged at.
    public init(local: any TUF1LocalMetadata, remote: (any TUF1Remote)?, now: TUFTime) {
        self.local = local
        self.remote = remote
        self.now = now
    }

    // MARK: - Refresh (§5.2 – §5.6.6)

    /// Runs steps 1–5 once (later calls return at once).
    /// - Throws: `TUFError` naming the role and the check that failed; the sources' own errors.
    ///   Whatever verified before the failure stays stored.
    public func refresh() throws {
        guard !refreshed else { return }
        var root = try loadTrustedRoot()
        if let remote { root = try updateRoot(from: root, remote: remote) }
        guard !Expiry.hasExpired(root.expires, at: now) else {
            throw TUFError(.expired, "root v\(root.version) expired at \(root.expires.text) (judged at \(now.text)); the repository has no newer root", role: TUF1Root.type)
        }
        self.root = root
        try updateTimestamp(root: root)
        try updateSnapshot(root: root)
        guard let targetsKeys = ExactName.value(in: root.roles, for: TUF1Targets.type) else {
            throw TUFError(.malformed, "root does not define the targets role", role: TUF1Root.type)
        }
        _ = try loadTargets(TUF1Delegation(name: TUF1Targets.type, keys: targetsKeys, terminating: false),
                            delegatorKeys: root.keys, delegatorID: TUF1Root.type, delegatorName: TUF1Root.type)
        refreshed = true
    }

    private func loadTrustedRoot() throws -> TUF1Root {
        guard let bytes = try local.load(TUF1Root.type, maxLength: MetadataLimits.maxRootBytes) else {
            throw TUFError(.notFound, "no trusted root in the metadata directory: run `signet tuf init ROOT_FILE` first", role: TUF1Root.type)
        }
        let file = try TUF1Metadata.parse(bytes, role: TUF1Root.type, maxLength: MetadataLimits.maxRootBytes)
        try file.requireType(TUF1Root.type, role: TUF1Root.type)
        let root = try TUF1Root(signed: file.signed)
        do { try root.verify(file, as: TUF1Root.type) } catch let error as TUFError {
            throw TUFError(error.code, "the trusted root v\(root.version) is not signed by its own root keys: \(error.message)", role: TUF1Root.type)
        }
        return root
    }

    private func updateRoot(from trusted: TUF1Root, remote: any TUF1Remote) throws -> TUF1Root {
        var current = trusted
        var budget = MetadataLimits.maxRootChainBytes
        for _ in 0..<MetadataLimits.maxRootRotations {
            let version = try MetadataVersion.next(after: current.version, role: TUF1Root.type)
            let limit = min(MetadataLimits.maxRootBytes, budget)
            guard limit > 0 else {
                throw TUFError(.tooLarge, "walking the root rotation from v\(trusted.version) needs more than \(MetadataLimits.maxRootChainBytes) bytes of root metadata (the limit per update)", role: TUF1Root.type)
            }
            guard let bytes = try remote.metadata(TUF1Names.metadataFileName(TUF1Root.type, version: version), maxLength: limit) else { break }
            budget -= min(bytes.count, budget)
            let file = try TUF1Metadata.parse(bytes, role: TUF1Root.type, maxLength: limit)
            try file.requireType(TUF1Root.type, role: TUF1Root.type)
            do { try current.verify(file, as: TUF1Root.type) } catch let error as TUFError {
                throw TUFError(error.code, "root v\(version) is not signed by the keys of trusted root v\(current.version): \(error.message)", role: TUF1Root.type)
            }
            let next = try TUF1Root(signed: file.signed)
            try RootRotation.requireVersion(next.version, of: version)
            do { try next.verify(file, as: TUF1Root.type) } catch let error as TUFError {
                throw TUFError(error.code, "root v\(version) is not signed by its own root keys: \(error.message)", role: TUF1Root.type)
            }
            try local.store(TUF1Root.type, bytes)
            stored.append("root v\(version)")
            current = next
        }
        return current
    }

    private func verifiedTimestamp(_ bytes: [UInt8], root: TUF1Root) throws -> TUF1Timestamp {
        let file = try TUF1Metadata.parse(bytes, role: TUF1Timestamp.type, maxLength: MetadataLimits.maxTimestampBytes)
        try file.requireType(TUF1Timestamp.type, role: TUF1Timestamp.type)
        try root.verify(file, as: TUF1Timestamp.type)
        return try TUF1Timestamp(signed: file.signed)
    }

    private func requireUnexpired(_ role: String, version: Int64, expires: TUFTime) throws {
        guard !Expiry.hasExpired(expires, at: now) else {
            throw TUFError(.expired, "\(RoleName.printable(role)) v\(version) expired at \(expires.text) (judged at \(now.text))", role: role)
        }
    }

    /// The local file's verified content, or the reason it is not usable (missing included).
    private func localResult<T>(_ role: String, maxLength: Int, _ verify: ([UInt8]) throws -> T) -> Result<T, Error> {
        do {
            guard let bytes = try local.load(role, maxLength: maxLength) else {
                return .failure(TUFError(.notFound, "no trusted \(RoleName.printable(role)) metadata in the metadata directory", role: role))
            }
            return .success(try verify(bytes))
        } catch {
            return .failure(error)
        }
    }

    private func updateTimestamp(root: TUF1Root) throws {
        let role = TUF1Timestamp.type
        let trusted = localResult(role, maxLength: MetadataLimits.maxTimestampBytes) { try verifiedTimestamp($0, root: root) }
        guard let remote else {
            let timestamp = try trusted.get()
            try requireUnexpired(role, version: timestamp.version, expires: timestamp.expires)
            self.timestamp = timestamp
            return
        }
        guard let bytes = try remote.metadata(TUF1Names.metadataFileName(role), maxLength: MetadataLimits.maxTimestampBytes) else {
            throw TUFError(.notFound, "the repository has no timestamp.json", role: role)
        }
        let new = try verifiedTimestamp(bytes, root: root)
        if case .success(let old) = trusted {
            try MetadataVersion.requireNotBelow(new.version, trusted: old.version, role: role)
            if new.version == old.version {
                // §5.4.3: nothing new; keep the trusted file (even if its bytes differ).
                try requireUnexpired(role, version: old.version, expires: old.expires)
                timestamp = old
                return
            }
            try MetadataVersion.requireNotBelow(new.snapshotMeta.version, trusted: old.snapshotMeta.version, role: TUF1Snapshot.type)
        }
        try requireUnexpired(role, version: new.version, expires: new.expires)
        try local.store(role, bytes)
        stored.append("timestamp v\(new.version)")
        timestamp = new
    }

    private func verifiedSnapshot(_ bytes: [UInt8], root: TUF1Root, maxLength: Int) throws -> TUF1Snapshot {
        let file = try TUF1Metadata.parse(bytes, role: TUF1Snapshot.type, maxLength: maxLength)
        try file.requireType(TUF1Snapshot.type, role: TUF1Snapshot.type)
        try root.verify(file, as: TUF1Snapshot.type)
        return try TUF1Snapshot(signed: file.signed)
    }

    /// §5.5.4 / §5.5.6: the snapshot is the version timestamp lists and is not expired.
    private func requireFinal(_ snapshot: TUF1Snapshot, listed: TUF1MetaFile) throws {
        try requireUnexpired(TUF1Snapshot.type, version: snapshot.version, expires: snapshot.expires)
        guard snapshot.version == listed.version else {
            throw TUFError(.rollback, "snapshot has version \(snapshot.version) but timestamp lists version \(listed.version)", role: TUF1Snapshot.type)
        }
    }

    /// The byte bound for a file its parent lists: the listed length, else the fixed limit.
    private func bound(_ listed: Int64?, role: String, parent: String) throws -> Int {
        guard let listed else { return MetadataLimits.maxFileBytes }
        guard listed <= Int64(MetadataLimits.maxFileBytes) else {
            throw TUFError(.tooLarge, "\(parent) lists \(RoleName.printable(role)) at \(listed) bytes, over the limit of \(MetadataLimits.maxFileBytes)", role: role)
        }
        return Int(listed)
    }

    private func updateSnapshot(root: TUF1Root) throws {
        let role = TUF1Snapshot.type
        guard let timestamp else { throw TUFError(.notFound, "no trusted timestamp", role: TUF1Timestamp.type) }
        let listed = timestamp.snapshotMeta
        // A stored snapshot was checked against its hashes when it was stored.
        let trusted = localResult(role, maxLength: MetadataLimits.maxFileBytes) { try verifiedSnapshot($0, root: root, maxLength: MetadataLimits.maxFileBytes) }
        if case .success(let old) = trusted, (try? requireFinal(old, listed: listed)) != nil {
            snapshot = old
            return
        }
        guard let remote else {
            let old = try trusted.get()
            try requireFinal(old, listed: listed)
            snapshot = old
            return
        }
        let maxLength = try bound(listed.length, role: role, parent: TUF1Timestamp.type)
        let name = TUF1Names.metadataFileName(role, version: root.consistentSnapshot ? listed.version : nil)
        guard let bytes = try remote.metadata(name, maxLength: maxLength) else {
            throw TUFError(.notFound, "snapshot v\(listed.version), which timestamp lists, is not in the repository (\(name))", role: role)
        }
        try listed.check(bytes, role: role, parent: TUF1Timestamp.type)
        let new = try verifiedSnapshot(bytes, root: root, maxLength: maxLength)
        if case .success(let old) = trusted {
            // §5.5.5: no targets file the trusted snapshot lists may be dropped or rolled back.
            for (file, entry) in old.meta {
                guard let newEntry = ExactName.value(in: new.meta, for: file) else {
                    throw TUFError(.rollback, "snapshot v\(new.version) no longer lists \(RoleName.printable(file)), which trusted snapshot v\(old.version) lists", role: role)
                }
                try MetadataVersion.requireNotBelow(newEntry.version, trusted: entry.version, role: String(file.dropLast(".json".count)))
            }
        }
        try requireFinal(new, listed: listed)
        try local.store(role, bytes)
        stored.append("snapshot v\(new.version)")
        snapshot = new
    }

    // MARK: - Targets and delegations (§5.6, §5.6.7)

    /// Loads targets role `entry.name` as `delegatorName` (whose verified content has ID
    /// `delegatorID`) delegates it: local bytes if they verify, else the repository's.
    private func loadTargets(_ entry: TUF1Delegation, delegatorKeys: [String: TUF1Key], delegatorID: String,
                             delegatorName: String) throws -> (targets: TUF1Targets, id: String) {
        let name = entry.name
        let memo = name + "\u{0}" + delegatorID
        if let known = verified[memo] { return known }
        guard let snapshot, let listed = snapshot.entry(for: name) else {
            throw TUFError(.notFound, "\(RoleName.printable(name)) is delegated by \(RoleName.printable(delegatorName)) but snapshot v\(self.snapshot?.version ?? 0) does not list \(TUF1Names.metadataFileName(name)); it is not trusted", role: name)
        }
        let maxLength = try bound(listed.length, role: name, parent: TUF1Snapshot.type)
        func verify(_ bytes: [UInt8]) throws -> (targets: TUF1Targets, id: String) {
            try listed.check(bytes, role: name, parent: TUF1Snapshot.type)
            let file = try TUF1Metadata.parse(bytes, role: name, maxLength: maxLength)
            try file.requireType(TUF1Targets.type, role: name)
            do { try TUF1Signatures.verify(file, role: name, keys: delegatorKeys, of: entry.keys) } catch let error as TUFError {
                throw TUFError(error.code, "\(RoleName.printable(name)) as \(RoleName.printable(delegatorName)) delegates it: \(error.message)", role: name)
            }
            let targets = try TUF1Targets(signed: file.signed, role: name)
            guard targets.version == listed.version else {
                throw TUFError(.rollback, "\(RoleName.printable(name)) has version \(targets.version) but snapshot lists version \(listed.version)", role: name)
            }
            try requireUnexpired(name, version: targets.version, expires: targets.expires)
            return (targets, name + "\u{0}" + Hex.encode(Digest.sha256(bytes)))
        }
        let result: (targets: TUF1Targets, id: String)
        switch localResult(name, maxLength: maxLength, verify) {
        case .success(let found):
            result = found
        case .failure(let localError):
            guard let remote else { throw localError }
            let bytes: [UInt8]
            if let known = fetched[name] {
                bytes = known
            } else {
                let fileName = TUF1Names.metadataFileName(name, version: root?.consistentSnapshot == true ? listed.version : nil)
                guard let found = try remote.metadata(fileName, maxLength: maxLength) else {
                    throw TUFError(.notFound, "\(RoleName.printable(name)) v\(listed.version), which snapshot lists, is not in the repository (\(fileName))", role: name)
                }
                fetched[name] = found
                bytes = found
            }
            result = try verify(bytes)
            try local.store(name, bytes)
            stored.append("\(name) v\(result.targets.version)")
        }
        verified[memo] = result
        return result
    }

    /// A target found: its length and hashes, and the role that listed it.
    public struct Match: Sendable {
        public var path: String
        public var file: TUF1TargetFile
        public var role: String
    }

    /// Refreshes if not done yet, then searches the delegation graph for `path` (§5.6.7).
    /// - Returns: the target, or nil when no role that may sign it lists it.
    /// - Throws: `refresh`'s errors; a delegated role on the search path that does not verify
    ///   (as python-tuf, the search stops: a repository serving a broken role on the way is not
    ///   worked around); `TUFError(.tooLarge)` past `MetadataLimits.maxDelegations` roles.
    public func targetInfo(_ path: String) throws -> Match? {
        try refresh()
        guard let root, let targetsKeys = ExactName.value(in: root.roles, for: TUF1Targets.type) else { return nil }
        struct Visit { var entry: TUF1Delegation; var keys: [String: TUF1Key]; var delegatorID: String; var delegatorName: String }
        var stack = [Visit(entry: TUF1Delegation(name: TUF1Targets.type, keys: targetsKeys, terminating: false),
                           keys: root.keys, delegatorID: TUF1Root.type, delegatorName: TUF1Root.type)]
        var visited = Set<ExactName.Key>()
        while let visit = stack.popLast() {
            let name = visit.entry.name
            guard !visited.contains(ExactName.Key(name)) else { continue }
            guard visited.count < MetadataLimits.maxDelegations else {
                throw TUFError(.tooLarge, "the search for \(RoleName.printable(path)) visited \(MetadataLimits.maxDelegations) roles, the limit", role: name)
            }
            let (targets, id) = try loadTargets(visit.entry, delegatorKeys: visit.keys, delegatorID: visit.delegatorID, delegatorName: visit.delegatorName)
            if let file = targets.target(path) { return Match(path: path, file: file, role: name) }
            visited.insert(ExactName.Key(name))
            guard let delegations = targets.delegations else { continue }
            let children = delegations.roles(for: path)
            if children.last?.terminating == true { stack.removeAll() }
            stack.append(contentsOf: children.reversed().map {
                Visit(entry: $0, keys: delegations.keys, delegatorID: id, delegatorName: name)
            })
        }
        return nil
    }
}
