import FoundationEssentials
import SignetTUF

extension TrustServer {
    /// Re-signs server-managed metadata on read (reference §2.3): when the current timestamp has
    /// expired or no longer matches the current snapshot, or the snapshot has expired and the server
    /// holds its key, generate new ones (version + 1) and store them atomically — also once root
    /// has expired, where notary-server answers 500 (notary#598).
    ///
    /// Checks without the lock first, so the common case costs two reads.
    ///
    /// With `renewalPercent` above 0 (the background pass, `RenewalPass.swift`), a role is re-signed
    /// as soon as it expires within that share of its lifetime (`Expiry.renewalDue`), not only once
    /// it has expired.
    ///
    /// Stored data that cannot be re-signed (a role that does not parse, a version at
    /// `MetadataVersion.maximum`) throws `TUFError`; the caller answers 500 for this GUN only.
    /// - Returns: true when new metadata was stored.
    @discardableResult
    func refreshServerRoles(gun: String, renewalPercent: Int = 0) throws -> Bool {
        guard try needsRefresh(gun: gun, now: TUFTime(settings.clock()), renewalPercent: renewalPercent) else { return false }
        return try store.withWriteLock(gun: gun) {
            let now = TUFTime(settings.clock())
            guard try needsRefresh(gun: gun, now: now, renewalPercent: renewalPercent),
                  let rootFile = try store.current(gun: gun, role: RoleName.root),
                  let snapshotFile = try store.current(gun: gun, role: RoleName.snapshot) else { return false }
            let root = try PublishValidator.parseRoot(rootFile.bytes)
            if Expiry.hasExpired(root.expires, at: now) {
                // Notary loads the root with expiry checks here and answers 500 for every
                // timestamp and snapshot GET (notary#598), which also blocks the recovery. Signet
                // keeps re-signing with the keys the root lists: the root's expiry is for clients to
                // judge (they refuse the collection and say so), and the owner can renew the root
                // by a publish only if the rest of the collection stays fresh.
                logger.warning("root of \(gun) expired at \(root.expires.text): clients refuse the collection until its owner renews root (signet witness \(gun) root, or signet key rotate \(gun) root)")
            }
            var updates: [MetadataUpdate] = []
            var snapshotBytes = snapshotFile.bytes
            let snapshot = try Snapshot(signed: MetadataFile.parse(snapshotFile.bytes, role: RoleName.snapshot).signed)
            if Expiry.renewalDue(snapshot.expires, role: RoleName.snapshot, percent: renewalPercent, at: now),
               let signer = try keys.signer(gun: gun, role: RoleName.snapshot, root: root) {
                let version = try MetadataVersion.next(after: snapshot.version, role: RoleName.snapshot)
                let (renewed, renewedBytes) = try Snapshot.signed(version: version, meta: snapshot.meta, at: now, by: [signer])
                snapshotBytes = renewedBytes
                updates.append(MetadataUpdate(role: RoleName.snapshot, version: renewed.version, bytes: snapshotBytes))
            }
            let validator = PublishValidator(gun: gun, store: store, keys: keys, now: now)
            updates.append(try validator.makeTimestamp(root: root, snapshotBytes: snapshotBytes))
            try store.commit(gun: gun, updates: updates)
            logger.info("re-signed \(gun): \(updates.map { "\($0.role) v\($0.version)" }.joined(separator: ", "))")
            return true
        }
    }

    /// Until when the current timestamp and snapshot stay what a GET answers (`CurrentMetadataCache`):
    /// the timestamp's `expires`, or the snapshot's when earlier and still ahead of `now` (an expired
    /// snapshot the server cannot re-sign changes nothing). nil when either cannot be read.
    func serverRolesValidUntil(gun: String, now: TUFTime) throws -> TUFTime? {
        guard let timestampFile = try store.current(gun: gun, role: RoleName.timestamp),
              let snapshotFile = try store.current(gun: gun, role: RoleName.snapshot),
              let timestamp = parsedExpiry(timestampFile), let snapshot = parsedExpiry(snapshotFile) else { return nil }
        return snapshot.expires > now ? min(timestamp.expires, snapshot.expires) : timestamp.expires
    }

    private func needsRefresh(gun: String, now: TUFTime, renewalPercent: Int) throws -> Bool {
        guard let timestampFile = try store.current(gun: gun, role: RoleName.timestamp),
              let snapshotFile = try store.current(gun: gun, role: RoleName.snapshot) else { return false }
        guard let timestamp = parsedExpiry(timestampFile), let snapshot = parsedExpiry(snapshotFile) else { return false }
        if Expiry.renewalDue(timestamp.expires, role: RoleName.timestamp, percent: renewalPercent, at: now) || timestamp.snapshotSHA256 != snapshotFile.sha256 { return true }
        if Expiry.renewalDue(snapshot.expires, role: RoleName.snapshot, percent: renewalPercent, at: now) {
            // Only worth the lock when the server could re-sign it.
            if let rootFile = try store.current(gun: gun, role: RoleName.root),
               let root = try? PublishValidator.parseRoot(rootFile.bytes),
               try keys.signer(gun: gun, role: RoleName.snapshot, root: root) != nil {
                return true
            }
        }
        return false
    }

    /// `expires`, `version` (and for a timestamp the snapshot's sha256) of a stored file, parsed
    /// once per distinct file: a GET of timestamp.json, or a scrape of `/metrics`, then costs no
    /// JSON parsing.
    func parsedExpiry(_ file: StoredMetadata) -> ParsedExpiry? {
        if let cached = expiryCache.withLock({ $0[file.sha256] }) { return cached }
        guard let parsed = try? MetadataFile.parse(file.bytes, role: file.role),
              let text = parsed.signed["expires"]?.stringValue, let expires = try? TUFTime(rfc3339: text),
              let version = parsed.signed["version"]?.intValue else { return nil }
        var snapshotSHA256: String?
        if file.role == RoleName.timestamp {
            guard let timestamp = try? Timestamp(signed: parsed.signed) else { return nil }
            snapshotSHA256 = timestamp.snapshot.sha256Hex
        }
        let entry = ParsedExpiry(expires: expires, version: version, snapshotSHA256: snapshotSHA256)
        expiryCache.withLock { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[file.sha256] = entry
        }
        return entry
    }
}

struct ParsedExpiry: Sendable {
    var expires: TUFTime
    var version: Int64
    var snapshotSHA256: String?
}
