import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// Every published version of a collection's targets and delegations, and what each changed
/// (issue 17 §2, `signet history`): tags added, removed or changed digest, delegations added,
/// removed or changed, when (the server's creation time of that version) and signed by which keys.
///
/// Read only through routes notary-server 0.7 has too: `<N>.<role>.json` for N from 1 up to the
/// version the verified collection trusts (delegations no longer listed: up to the first 404),
/// and `<N>.root.json` for the keys each old version was signed with. The time is the version's
/// `Last-Modified` (nil where a server does not know it).
///
/// Which signatures count: a historical version is never trusted as current data, but its
/// signatures are checked against the keys its parent listed for it at some point — root's
/// `targets` keys in any root of the chain from version 1 to the trusted root (each root verified
/// as the successor of the one before, `RootRotation.verify`, and the last one's root keys those
/// of the trusted root), a delegation's keys in any verified version of its parent. `signedBy`
/// names the keys whose signatures verified; a version with none is `verified == false` and shown
/// as such, never hidden.
///
/// Bounds: at most `MetadataLimits.maxHistoryVersions` versions per role and `maxRoles` roles; each file at most
/// `MetadataLimits.maxFileBytes`.
package struct CollectionHistory: Sendable {
    package static let maxRoles = MetadataLimits.maxDelegations

    /// One published version of one role.
    package struct Entry: Sendable {
        package var role: String
        package var version: Int64
        /// The server's creation time, seconds since 1970 (`Last-Modified`), nil when unknown.
        package var published: Int64?
        /// Canonical key IDs whose signatures verified.
        package var signedBy: [String]
        package var verified: Bool
        package var tags: [TargetsDiff.TagChange]
        package var delegations: [TargetsDiff.DelegationChange]
    }

    package var gun: String
    /// Oldest first: by `published`, then role, then version.
    package var entries: [Entry]

    /// The history of `collection`'s targets roles, fetched through `fetch(role, version)`
    /// (`RemoteServer.fetchVersion`; nil = 404).
    /// - Throws: what `fetch` throws (unreachable server, refusals); a version that does not parse
    ///   ends that role's history with `TUFError(.malformed)` naming role and version.
    package init(_ collection: VerifiedCollection, fetch: (String, Int64) throws -> VersionedFile?) throws {
        gun = collection.gun
        let now = TUFTime(Date())
        let rootKeys = try Self.targetsKeysOfRootChain(collection, now: now, fetch: fetch)
        var entries: [Entry] = []
        /// Role → keys that may have signed one of its versions (from verified parent versions).
        var keysOf: [String: [String: TUFKey]] = [RoleName.targets: rootKeys]
        var pending = [RoleName.targets]
        var seen = Set<ExactName.Key>([ExactName.Key(RoleName.targets)])
        while let role = pending.first {
            pending.removeFirst()
            let trustedVersion = collection.targets[role]?.version
            var previous: Targets?
            var version: Int64 = 1
            while version <= MetadataLimits.maxHistoryVersions {
                if let trustedVersion, version > trustedVersion { break }
                guard let file = try fetch(role, version) else {
                    if trustedVersion == nil { break }  // a delegation no longer listed: up to the first gap
                    version += 1
                    continue
                }
                let parsed: MetadataFile
                let targets: Targets
                do {
                    parsed = try MetadataFile.parse(file.bytes, role: role)
                    targets = try Targets(signed: parsed.signed, role: role)
                } catch {
                    throw TUFError(.malformed, "\(role) v\(version) of \(collection.gun) does not parse: \(error)", role: role)
                }
                let signers = Self.validSigners(parsed, role: role, keys: keysOf[role] ?? [:])
                entries.append(Entry(role: role, version: targets.version, published: file.lastModified.flatMap(HTTPDate.parse),
                                     signedBy: signers, verified: !signers.isEmpty,
                                     tags: TargetsDiff.tags(from: previous, to: targets),
                                     delegations: TargetsDiff.delegations(from: previous, to: targets)))
                if !signers.isEmpty {
                    for entry in targets.delegations.roles {
                        keysOf[entry.name, default: [:]].merge(targets.delegations.keys(of: entry)) { current, _ in current }
                        if seen.count < Self.maxRoles, seen.insert(ExactName.Key(entry.name)).inserted { pending.append(entry.name) }
                    }
                }
                previous = targets
                version += 1
            }
        }
        self.entries = entries.sorted { ($0.published ?? 0, $0.role, $0.version) < ($1.published ?? 0, $1.role, $1.version) }
    }

    /// The entries that changed `tag` (byte-exact), oldest first.
    package func entries(forTag tag: String) -> [Entry] {
        entries.compactMap { entry in
            let changes = entry.tags.filter { ExactName.equal($0.tag, tag) }
            guard !changes.isEmpty else { return nil }
            var only = entry
            only.tags = changes
            only.delegations = []
            return only
        }
    }

    // MARK: - Pieces

    /// Root's `targets` keys over the verified root chain 1 … trusted version; just the trusted
    /// root's when the chain does not verify or does not end in the trusted root's keys.
    static func targetsKeysOfRootChain(_ collection: VerifiedCollection, now: TUFTime, fetch: (String, Int64) throws -> VersionedFile?) throws -> [String: TUFKey] {
        let trusted = collection.root
        var keys = (try? trusted.roleKeys(RoleName.targets).keys) ?? [:]
        guard trusted.version > 1, trusted.version <= MetadataLimits.maxRootRotations else { return keys }
        var chain: [Root] = []
        var previous: Root?
        for version in 1...trusted.version {
            guard let file = try fetch(RoleName.root, version),
                  let parsed = try? MetadataFile.parse(file.bytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes),
                  let unverified = try? Root(signed: parsed.signed), unverified.version == version,
                  let root = try? RootRotation.verify(parsed, gun: collection.gun, at: now, previous: previous ?? unverified, checkExpiry: false)
            else { return keys }
            chain.append(root)
            previous = root
        }
        func rootKeyIDs(_ root: Root) -> Set<String> {
            Set(((try? root.roleKeys(RoleName.root).keys) ?? [:]).values.map { (try? $0.canonicalID()) ?? $0.id })
        }
        guard let last = chain.last, rootKeyIDs(last) == rootKeyIDs(trusted) else { return keys }
        for root in chain { keys.merge((try? root.roleKeys(RoleName.targets).keys) ?? [:]) { current, _ in current } }
        return keys
    }

    /// Canonical key IDs of the keys among `keys` whose signatures on `file` verify (distinct
    /// key material, `SignatureThreshold`), sorted.
    static func validSigners(_ file: MetadataFile, role: String, keys: [String: TUFKey]) -> [String] {
        guard let ids = try? SignatureThreshold.verify(file, role: role, keys: keys, threshold: 1) else { return [] }
        return Set(ids.compactMap { keys[$0].map { (try? $0.canonicalID()) ?? $0.id } }).sorted()
    }
}
