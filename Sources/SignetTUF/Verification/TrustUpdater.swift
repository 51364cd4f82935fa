/// The client update workflow: from a trusted (or first-seen) root through timestamp, snapshot,
/// targets and delegations, every file checked against its parent (TUF 1.0 §5; Notary
/// `client/tufclient.go`, reference §1.6).
///
/// Order and checks:
/// 1. Root: the cached trusted root if any (its expiry is not judged here), else `root.json`,
///    accepted on first use or against `pin`. Root keys must be certificates valid for the GUN.
/// 2. `timestamp.json` (≤ 1 MiB): timestamp keys and threshold, `_type`, version not below the
///    cached one, not expired.
/// 3. `snapshot.<sha256>.json`: length and hashes from the timestamp, then as 2.
/// 4. The snapshot's hash of root must match the trusted root's bytes; when it does not, or any
///    check in 2–5 fails, `root.json` is fetched again and, if newer, every `N.root.json` from the
///    trusted version + 1 is verified against its predecessor and itself (`RootRotation`); then steps
///    2–5 run once more. The walk holds one root at a time, covers at most
///    `MetadataLimits.maxRootRotations` new versions (refused before any `N.root.json` is
///    fetched) and reads at most `maxRootChainBytes` of root metadata (each fetch is asked for no
///    more than what is left).
/// 5. `targets.<sha256>.json`, then delegations depth-first in listed order, each checked against
///    the snapshot's hashes and its parent's keys. A delegation that is expired or below threshold
///    is skipped with a warning (Notary). One its parent delegates but the snapshot does not list
///    is refused when the client trusted it before — `trustedSnapshot` listed it or
///    `minimumVersions` has it (python-tuf: "Snapshot does not contain information for role") —
///    and otherwise skipped with a warning, as Notary does for a delegation with no file yet.
/// Finally the trusted root itself must not be expired (the error says how its owner renews it)
/// and must satisfy `pin` (with `pinFollowsRotation`, itself or through its signed chain from an
/// earlier version that does).
public struct TrustUpdater {
    public var gun: String
    /// The instant expiry is judged at.
    public var now: TUFTime
    public var pin: RootPin?
    /// Bytes of the root the client already trusts (from its cache), if any.
    public var trustedRoot: [UInt8]?
    /// Role → lowest acceptable version (the cached versions, for rollback protection). A
    /// delegation listed here must still be in the snapshot while its parent delegates it.
    public var minimumVersions: [String: Int64]
    /// Accept a root that has expired, and root certificates that have expired, so that the owner
    /// of the collection can renew root (`signet witness GUN root`, `signet key rotate GUN root`).
    /// Every other check, and every other role's expiry, still applies. Never set it to read targets.
    public var allowExpiredRoot = false
    /// Bytes of the snapshot the client verified last (from its cache), if any: every delegation
    /// it lists that the new targets metadata still delegates must be listed by the new snapshot.
    /// Bytes that do not parse are ignored (the cache was verified when written).
    public var trustedSnapshot: [UInt8]?
    /// Bytes of root metadata one update may read while walking a rotation; defaults to
    /// `MetadataLimits.maxRootChainBytes`.
    public var maxRootChainBytes: Int = MetadataLimits.maxRootChainBytes
    /// How `pin` is met. Off (the default, Notary 0.7): a key of the root reached must match the
    /// pin and sign it, so a pin breaks at every root rotation. On: the root reached may instead
    /// descend from an earlier root version that meets the pin, through the signed chain
    /// `N.root.json` → … → the root reached, each step signed by its predecessor's threshold and
    /// its own (`PinnedRootChain`; TUF 1.0 §5.3's treatment of the initial root).
    public var pinFollowsRotation = false

    public init(gun: String, now: TUFTime, pin: RootPin? = nil, trustedRoot: [UInt8]? = nil, minimumVersions: [String: Int64] = [:],
                trustedSnapshot: [UInt8]? = nil, allowExpiredRoot: Bool = false, pinFollowsRotation: Bool = false) {
        self.pinFollowsRotation = pinFollowsRotation
        self.gun = gun
        self.now = now
        self.pin = pin
        self.trustedRoot = trustedRoot
        self.minimumVersions = minimumVersions
        self.trustedSnapshot = trustedSnapshot
        self.allowExpiredRoot = allowExpiredRoot
    }

    /// Runs the update.
    /// - Returns: the verified collection.
    /// - Throws: `TUFError` naming the role and check that failed; the fetcher's own errors.
    public func update(from fetcher: some MetadataFetcher) throws -> VerifiedCollection {
        var anchor = try establishRoot(fetcher)
        let firstError: Error
        do {
            return try finish(try updateRoles(root: anchor, fetcher: fetcher), fetcher: fetcher)
        } catch let error as TUFError where error.code != .malformed && error.code != .tooLarge {
            firstError = error
        } catch let mismatch as RootMismatch {
            firstError = mismatch.error
        }
        // Maybe the root was rotated: look for a newer one and try once more.
        let rotation = RootRotation(gun: gun, now: now, maxRootChainBytes: maxRootChainBytes)
        guard let newer = try rotation.walk(from: anchor, fetcher: fetcher) else { throw firstError }
        anchor = newer
        do {
            return try finish(try updateRoles(root: anchor, fetcher: fetcher), fetcher: fetcher)
        } catch let mismatch as RootMismatch {
            throw mismatch.error
        }
    }

    /// The error for a root that has expired at `now` (nil when it has not, or when
    /// `allowExpiredRoot`), with the two ways its owner renews it.
    private func rootExpiry(_ root: Root) -> TUFError? {
        guard !allowExpiredRoot, Expiry.hasExpired(root.expires, at: now) else { return nil }
        return TUFError(.expired, "root v\(root.version) of \(gun) expired at \(root.expires.text) (judged at \(now.text)); "
            + "the collection's owner renews it with `signet witness \(gun) root` then `signet publish \(gun)`, "
            + "or replaces the root key with `signet key rotate \(gun) root`", role: RoleName.root)
    }

    // MARK: - Root

    struct TrustedRoot {
        var root: Root
        var bytes: [UInt8]
        /// Root versions walked through in this update to reach this one.
        var walked: [Int64] = []
        /// The root version that met the pin in this update, when one did: this root or an
        /// ancestor it was verified to descend from (`PinnedRootChain`).
        var pinnedVersion: Int64?
    }

    private struct RootMismatch: Error { var error: TUFError }

    private func establishRoot(_ fetcher: some MetadataFetcher) throws -> TrustedRoot {
        if let trustedRoot {
            let file = try MetadataFile.parse(trustedRoot, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
            let root = try Root(signed: file.signed)
            // A cached root was verified when it was stored; re-check its own signatures (not expiry).
            let (keys, threshold) = try root.roleKeys(RoleName.root)
            try SignatureThreshold.verify(file, role: RoleName.root, keys: keys, threshold: threshold)
            return TrustedRoot(root: root, bytes: trustedRoot)
        }
        guard let bytes = try fetcher.fetch(.current(role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)) else {
            throw TUFError(.notFound, "no trust data for \(gun): root.json not found", role: RoleName.root)
        }
        let file = try MetadataFile.parse(bytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
        // Certificate validity is judged in `finish`, after the other roles, so that a stale
        // collection reports its expired timestamp first (what changes most often).
        let root = try RootRules.verify(file, gun: gun, at: now, checkExpiry: false)
        guard let pin else { return TrustedRoot(root: root, bytes: bytes) }
        if pinFollowsRotation {
            return try pinnedChain(pin).anchor(TrustedRoot(root: root, bytes: bytes), fetcher: fetcher)
        }
        try pin.check(root, file: file, gun: gun, at: now)
        return TrustedRoot(root: root, bytes: bytes, pinnedVersion: root.version)
    }

    private func pinnedChain(_ pin: RootPin) -> PinnedRootChain {
        PinnedRootChain(pin: pin, rotation: RootRotation(gun: gun, now: now, maxRootChainBytes: maxRootChainBytes))
    }

    private func finish(_ collection: VerifiedCollection, fetcher: some MetadataFetcher) throws -> VerifiedCollection {
        var collection = collection
        let root = collection.root
        if let expired = rootExpiry(root) { throw expired }
        // The final root's own certificates must be valid now (the anchor may have been cached).
        _ = try RootRules.usableRootKeys(root, gun: gun, at: now, checkExpiry: !allowExpiredRoot)
        if let pin {
            if pinFollowsRotation {
                // Met in this update (by this root, or by an ancestor it descends from through
                // verified steps); a cached anchor was not judged yet.
                if collection.rootPinnedVersion == nil {
                    let anchored = try pinnedChain(pin).anchor(TrustedRoot(root: root, bytes: collection.rootBytes), fetcher: fetcher)
                    collection.rootPinnedVersion = anchored.pinnedVersion
                }
            } else {
                let file = try MetadataFile.parse(collection.rootBytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
                try pin.check(root, file: file, gun: gun, at: now)
                collection.rootPinnedVersion = root.version
            }
        }
        return collection
    }

    // MARK: - Timestamp, snapshot, targets, delegations

    private func updateRoles(root anchor: TrustedRoot, fetcher: some MetadataFetcher) throws -> VerifiedCollection {
        let root = anchor.root
        var collection = VerifiedCollection(gun: gun, root: root, rootBytes: anchor.bytes)
        collection.rootVersionsWalked = anchor.walked
        collection.rootPinnedVersion = anchor.pinnedVersion

        // Timestamp.
        guard let timestampBytes = try fetcher.fetch(.current(role: RoleName.timestamp, maxLength: MetadataLimits.maxTimestampBytes)) else {
            throw TUFError(.notFound, "no timestamp for \(gun): timestamp.json not found", role: RoleName.timestamp)
        }
        let timestampFile = try MetadataFile.parse(timestampBytes, role: RoleName.timestamp, maxLength: MetadataLimits.maxTimestampBytes)
        let timestamp = try checkBaseRole(timestampFile, role: RoleName.timestamp, root: root) { try Timestamp(signed: $0) }
        try checkFreshness(role: RoleName.timestamp, version: timestamp.version, expires: timestamp.expires)
        collection.timestamp = timestamp
        collection.files[RoleName.timestamp] = timestampBytes

        // Snapshot.
        let snapshotBytes = try fetchListed(RoleName.snapshot, meta: timestamp.snapshot, parent: RoleName.timestamp, fetcher: fetcher)
        let snapshotFile = try MetadataFile.parse(snapshotBytes, role: RoleName.snapshot)
        let snapshot = try checkBaseRole(snapshotFile, role: RoleName.snapshot, root: root) { try Snapshot(signed: $0) }
        try checkFreshness(role: RoleName.snapshot, version: snapshot.version, expires: snapshot.expires)
        collection.snapshot = snapshot
        collection.files[RoleName.snapshot] = snapshotBytes

        // The snapshot must describe the root we trust (mix-and-match protection).
        if let rootMeta = snapshot.meta[RoleName.root] {
            do { try rootMeta.check(anchor.bytes, role: RoleName.root, parent: RoleName.snapshot) } catch let error as TUFError {
                throw RootMismatch(error: TUFError(error.code, "trusted root v\(root.version) is not the root snapshot v\(snapshot.version) lists: \(error.message)", role: RoleName.root))
            }
        }

        // Targets.
        guard let targetsMeta = snapshot.meta[RoleName.targets] else {
            throw TUFError(.malformed, "snapshot does not list targets", role: RoleName.snapshot)
        }
        let targetsBytes = try fetchListed(RoleName.targets, meta: targetsMeta, parent: RoleName.snapshot, fetcher: fetcher)
        let targetsFile = try MetadataFile.parse(targetsBytes, role: RoleName.targets)
        let targets = try checkBaseRole(targetsFile, role: RoleName.targets, root: root) { try Targets(signed: $0, role: RoleName.targets) }
        try checkFreshness(role: RoleName.targets, version: targets.version, expires: targets.expires)
        collection.add(role: RoleName.targets, targets: targets, bytes: targetsBytes, effectivePaths: DelegationPaths.everything)

        let previouslyListed = trustedSnapshot.flatMap { bytes in
            (try? Snapshot(signed: MetadataFile.parse(bytes, role: RoleName.snapshot).signed)).map { Set($0.meta.keys) }
        } ?? []
        try walkDelegations(of: RoleName.targets, targets: targets, paths: DelegationPaths.everything, depth: 1,
                            snapshot: snapshot, previouslyListed: previouslyListed, fetcher: fetcher, into: &collection)
        return collection
    }

    private func walkDelegations(of parent: String, targets: Targets, paths parentPaths: [String], depth: Int,
                                 snapshot: Snapshot, previouslyListed: Set<String>, fetcher: some MetadataFetcher,
                                 into collection: inout VerifiedCollection) throws {
        for delegated in targets.delegations.roles {
            let name = delegated.name
            guard collection.roleOrder.count < MetadataLimits.maxDelegations else {
                throw TUFError(.tooLarge, "more than \(MetadataLimits.maxDelegations) delegated roles", role: name)
            }
            guard depth <= MetadataLimits.maxDelegationDepth else {
                throw TUFError(.tooLarge, "delegation \(name) is nested deeper than \(MetadataLimits.maxDelegationDepth)", role: name)
            }
            guard collection.targets[name] == nil else { continue }
            guard let meta = snapshot.meta[name] else {
                // Dropping a trusted delegation from the snapshot would silently fall back to
                // other roles' (older) targets: only a role never trusted before may be absent.
                let trustedBefore: String?
                if previouslyListed.contains(name) {
                    trustedBefore = "the snapshot this client trusted before listed it"
                } else if let version = minimumVersions[name] {
                    trustedBefore = "this client trusted v\(version) of it"
                } else {
                    trustedBefore = nil
                }
                if let trustedBefore {
                    throw TUFError(.rollback, "snapshot v\(snapshot.version) does not list \(name), which \(parent) still delegates and \(trustedBefore); refusing to fall back to other roles' targets", role: name)
                }
                collection.warnings.append("\(name) is delegated by \(parent) but has not been published yet")
                continue
            }
            let bytes = try fetchListed(name, meta: meta, parent: RoleName.snapshot, fetcher: fetcher)
            let file = try MetadataFile.parse(bytes, role: name)
            let role = try Targets(signed: file.signed, role: name)
            do {
                try SignatureThreshold.verify(file, role: name, keys: targets.delegations.keys(of: delegated), threshold: delegated.threshold)
            } catch let error as TUFError where error.code == .threshold {
                collection.warnings.append("skipping \(name): \(error.message)")
                collection.untrusted[name] = UntrustedRole(targets: role, reason: error.message)
                continue
            }
            if let minimum = minimumVersions[name] { try MetadataVersion.requireNotBelow(role.version, trusted: minimum, role: name) }
            guard !Expiry.hasExpired(role.expires, at: now) else {
                collection.warnings.append("skipping \(name): it expired at \(role.expires.text)")
                collection.untrusted[name] = UntrustedRole(targets: role, reason: "it expired at \(role.expires.text)")
                continue
            }
            let effective = DelegationPaths.restrict(delegated.paths, to: parentPaths)
            collection.add(role: name, targets: role, bytes: bytes, effectivePaths: effective)
            try walkDelegations(of: name, targets: role, paths: effective, depth: depth + 1,
                                snapshot: snapshot, previouslyListed: previouslyListed, fetcher: fetcher, into: &collection)
        }
    }

    private func fetchListed(_ role: String, meta: FileMeta, parent: String, fetcher: some MetadataFetcher) throws -> [UInt8] {
        guard let hex = meta.sha256Hex else {
            throw TUFError(.malformed, "\(parent) lists no sha256 for \(role)", role: parent)
        }
        guard meta.length <= Int64(MetadataLimits.maxFileBytes) else {
            throw TUFError(.tooLarge, "\(parent) lists \(role) at \(meta.length) bytes, over the limit of \(MetadataLimits.maxFileBytes)", role: role)
        }
        let fetched: [UInt8]?
        do {
            fetched = try fetcher.fetch(.hash(sha256Hex: hex, role: role, maxLength: Int(meta.length)))
        } catch let error as TUFError where error.code == .tooLarge {
            throw TUFError(.tooLarge, "\(role) is larger than the \(meta.length) bytes \(parent) lists", role: role)
        }
        guard let bytes = fetched else {
            throw TUFError(.notFound, "\(role) listed by \(parent) was not found (\(role).\(hex).json)", role: role)
        }
        try meta.check(bytes, role: role, parent: parent)
        return bytes
    }

    private func checkBaseRole<T>(_ file: MetadataFile, role: String, root: Root, parse: (JSONValue) throws -> T) throws -> T {
        let (keys, threshold) = try root.roleKeys(role)
        // Type first, so a file of the wrong role reports that rather than a signature failure.
        let parsed = try parse(file.signed)
        try SignatureThreshold.verify(file, role: role, keys: keys, threshold: threshold)
        return parsed
    }

    private func checkFreshness(role: String, version: Int64, expires: TUFTime) throws {
        if let minimum = minimumVersions[role] { try MetadataVersion.requireNotBelow(version, trusted: minimum, role: role) }
        guard !Expiry.hasExpired(expires, at: now) else {
            throw TUFError(.expired, "\(role) expired at \(expires.text) (judged at \(now.text))", role: role)
        }
    }
}
