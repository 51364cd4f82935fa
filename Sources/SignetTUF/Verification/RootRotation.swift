import SignetCrypto

/// Root rotation: how a new root replaces the one that is trusted (TUF 1.0 §5.3; Notary
/// `tuf/builder.go` and `trustpinning/certs.go`, reference §3.10; on the server
/// `server/handlers/validation.go`, reference §5.1 steps 2–4).
///
/// Rules, each with the attack it stops:
/// - The new root must carry the previous root's threshold of signatures by the previous root's
///   usable root keys (certificates not judged for expiry, as Notary verifies with
///   `validRootLeafCerts(prevRoot, gun, false)`): otherwise whoever can write the server's
///   `root.json` could install keys of their own.
/// - It must also carry its own threshold over its own usable root keys (`RootRules`): the new
///   keys must be real and held, or the collection becomes unsignable.
/// - The client walks every version from the trusted one + 1 up to the latest, and
///   `N.root.json` must be version N (no version skipped or replayed); at most
///   `MetadataLimits.maxRootRotations` versions and `maxRootChainBytes` bytes per update.
///   Intermediate roots' `expires` is not judged; the root reached must not be expired
///   (`Expiry`, judged by `TrustUpdater` last) and must satisfy the client's `RootPin`.
/// - A publish may keep the stored root's version (re-signed) or raise it by one
///   (`isAcceptablePublishedVersion`); the server also refuses an expired new root.
public struct RootRotation {
    public var gun: String
    /// The instant certificates are judged at.
    public var now: TUFTime
    /// Bytes of root metadata one walk may read.
    public var maxRootChainBytes: Int

    public init(gun: String, now: TUFTime, maxRootChainBytes: Int = MetadataLimits.maxRootChainBytes) {
        self.gun = gun
        self.now = now
        self.maxRootChainBytes = maxRootChainBytes
    }

    /// Verifies `file` as the successor of trusted root `previous`: the previous root's threshold
    /// over its usable root keys (certificates not judged for expiry), then the new root's own
    /// threshold over its usable root keys (`RootRules`). The version is not judged here.
    /// - Parameter checkExpiry: judge the new root's certificates' validity dates (`Expiry`).
    /// - Returns: the new root.
    /// - Throws: `TUFError(.untrustedRoot)` when the new root has no usable root key;
    ///   `.threshold` (the message names the previous version) when the previous root's threshold
    ///   is not met, `.threshold` when its own is not; parse errors from `Root(signed:)`.
    public static func verify(_ file: MetadataFile, gun: String, at now: TUFTime, previous: Root, checkExpiry: Bool = true) throws -> Root {
        let (root, valid) = try RootRules.parseWithUsableKeys(file, gun: gun, at: now, checkExpiry: checkExpiry)
        let previousThreshold = try previous.roleKeys(RoleName.root).threshold
        let previousKeys = RootRules.validRootKeys(previous, gun: gun, at: now, checkExpiry: false).keys
        do {
            try SignatureThreshold.verify(file, role: RoleName.root, keys: previousKeys, threshold: previousThreshold)
        } catch let error as TUFError {
            throw TUFError(error.code, "root v\(root.version) is not signed by the keys of trusted root v\(previous.version): \(error.message)", role: RoleName.root)
        }
        try RootRules.verifyOwnThreshold(file, root: root, keys: valid)
        return root
    }

    /// A step of the walk, in both dialects (TUF 1.0 §5.3.4): `N.root.json` must hold version N,
    /// so no version is skipped or replayed.
    /// - Throws: `TUFError(.rollback)` ("3.root.json has version 4, expected 3").
    public static func requireVersion(_ version: Int64, of fileVersion: Int64) throws {
        guard version == fileVersion else {
            throw TUFError(.rollback, "\(fileVersion).root.json has version \(version), expected \(fileVersion)", role: RoleName.root)
        }
    }

    /// Whether a publish may store root `version` over the stored root's version `stored` (nil
    /// when the collection has no root yet): the first root is version 1; later ones keep the
    /// stored version or raise it by one (Notary: "Root modifications must increment the
    /// version"). At `MetadataVersion.maximum` only the same version is acceptable.
    public static func isAcceptablePublishedVersion(_ version: Int64, replacing stored: Int64?) -> Bool {
        guard let stored else { return version == 1 }
        return version == stored || version == (try? MetadataVersion.next(after: stored, role: RoleName.root))
    }

    /// The root role's key IDs in short form (7 hex digits of the canonical key ID, as the key
    /// prompts and `signet key list` name them), comma-separated; `?` when unknown.
    static func shortRootKeyIDs(_ root: Root?) -> String {
        guard let root, let keys = try? root.roleKeys(RoleName.root).keys, !keys.isEmpty else { return "?" }
        return keys.values.map { String(((try? $0.canonicalID()) ?? $0.id).prefix(7)) }.sorted().joined(separator: ",")
    }

    /// Fetches `root.json`; when it is newer than `anchor`, walks `N.root.json` up to it, each
    /// step verified by `verify(_:gun:at:previous:checkExpiry:)` against its predecessor (the
    /// certificates' validity dates not judged) and of exactly the version its name says. Nil
    /// when nothing is newer.
    ///
    /// Only the latest root's bytes and the step being verified are held; at most
    /// `MetadataLimits.maxRootRotations` steps and `maxRootChainBytes` bytes in all.
    /// - Throws: `TUFError(.tooLarge)` past either bound; `.untrustedRoot` / `.rollback` for a
    ///   broken chain; the fetcher's errors.
    func walk(from anchor: TrustUpdater.TrustedRoot, fetcher: some MetadataFetcher) throws -> TrustUpdater.TrustedRoot? {
        var budget = maxRootChainBytes
        func fetchRoot(_ request: (Int) -> MetadataRequest, name: String) throws -> [UInt8]? {
            let limit = min(MetadataLimits.maxRootBytes, budget)
            let bytes: [UInt8]?
            do { bytes = try fetcher.fetch(request(limit)) } catch let error as TUFError where error.code == .tooLarge && limit < MetadataLimits.maxRootBytes {
                throw TUFError(.tooLarge, "walking the root rotation of \(gun) from v\(anchor.root.version) needs more than \(maxRootChainBytes) bytes of root metadata (the limit per update); \(name) is over the \(limit) bytes left", role: RoleName.root)
            }
            if let bytes { budget -= min(bytes.count, budget) }
            return bytes
        }
        guard let latestBytes = try fetchRoot({ .current(role: RoleName.root, maxLength: $0) }, name: "root.json") else {
            return nil
        }
        let latestFile = try MetadataFile.parse(latestBytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
        let latestVersion = try Root(signed: latestFile.signed).version
        guard latestVersion > anchor.root.version else {
            guard latestBytes != anchor.bytes else { return nil }
            // Not a rotation: the server's root is another root altogether (a collection deleted and
            // re-created, or a server that lost data). Say so instead of a signature failure.
            let latestKeys = Self.shortRootKeyIDs(try? Root(signed: latestFile.signed))
            let trustedKeys = Self.shortRootKeyIDs(anchor.root)
            throw TUFError(.untrustedRoot, "the server's root of \(gun) (v\(latestVersion), root key \(latestKeys)) is not the root this client trusts (v\(anchor.root.version), root key \(trustedKeys)) and is not a rotation of it. To use the server's root, remove the local trust data: signet delete \(gun) (staged changes and the local root go; keys stay). To replace the server's collection with yours, delete it there: signet delete \(gun) --remote (needs the * scope on \(gun)), then signet init \(gun) and publish", role: RoleName.root)
        }
        // Both versions are within 1...MetadataVersion.maximum (parsed), so neither the
        // difference nor any step below can overflow.
        guard latestVersion - anchor.root.version <= MetadataLimits.maxRootRotations else {
            throw TUFError(.tooLarge, "the root of \(gun) went from v\(anchor.root.version) to v\(latestVersion); refusing to walk more than \(MetadataLimits.maxRootRotations) root versions in one update (remove the local trust data with `signet delete \(gun)` to trust the current root anew)", role: RoleName.root)
        }
        var current = anchor
        for version in (anchor.root.version + 1)...latestVersion {
            let bytes: [UInt8]
            if version == latestVersion {
                bytes = latestBytes
            } else {
                guard let fetched = try fetchRoot({ .version(version, role: RoleName.root, maxLength: $0) }, name: "\(version).root.json") else {
                    throw TUFError(.untrustedRoot, "cannot follow the root rotation from v\(current.root.version) to v\(latestVersion): \(version).root.json not found", role: RoleName.root)
                }
                bytes = fetched
            }
            // The predecessor (and its bytes) is dropped here: one root at a time.
            current = try step(bytes, version: version, after: current)
        }
        return current
    }

    /// One step of a walk: `bytes` as root `version`, verified against its predecessor `current`
    /// by `verify(_:gun:at:previous:checkExpiry:)` (certificates' validity dates not judged).
    /// - Returns: the new trusted root, `version` appended to `walked`, the pin's version kept.
    /// - Throws: what `verify` throws; `TUFError(.rollback)` when the file is not version `version` (`requireVersion`).
    func step(_ bytes: [UInt8], version: Int64, after current: TrustUpdater.TrustedRoot) throws -> TrustUpdater.TrustedRoot {
        let file = try MetadataFile.parse(bytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
        let next = try Self.verify(file, gun: gun, at: now, previous: current.root, checkExpiry: false)
        try Self.requireVersion(next.version, of: version)
        return TrustUpdater.TrustedRoot(root: next, bytes: bytes, walked: current.walked + [version], pinnedVersion: current.pinnedVersion)
    }
}
