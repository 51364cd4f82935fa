import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: role dropping. Whoever holds the snapshot key (in Docker's default mode, the server)
/// signs a new snapshot that leaves out `targets/releases`; the client used to skip the role as
/// "not published yet" and answer with the older digest that `targets` still lists (issue 9,
/// hole 5). A delegation that `targets` still delegates and that the client trusted before — the
/// previous trusted snapshot listed it, or the client has its file cached — must be listed by
/// the new snapshot (python-tuf: "Snapshot does not contain information for role"; TUF 1.0
/// §5.5.5, the snapshot must not drop targets metadata). A delegation never listed before is
/// still skipped with a warning, as Notary 0.7 does between `delegation add` and the first target
/// signed into it (fixtures stage 03-delegation). Related advisories: GHSA-66x3-6cw3-v5gj
/// (go-tuf, a role's metadata replaced by another's), the rollback class of CVE-2021-41131.
@Suite("Attack: role dropping") struct RoleDroppingAttackTests {
    static let older = FileMeta(length: 10, hashes: ["sha256": Digest.sha256(Array("older".utf8))])
    static let newer = FileMeta(length: 11, hashes: ["sha256": Digest.sha256(Array("newer".utf8))])

    /// `targets` lists `1.0` → older and delegates `targets/releases`, which lists `1.0` → newer.
    struct Delegated {
        var collection: TestCollection
        let releasesKey: PrivateKey
        let releasesTUFKey: TUFKey
        /// Root signed once, so every update sees the same trusted root bytes.
        var rootFile: MetadataFile

        init() throws {
            collection = try TestCollection()
            releasesKey = try PrivateKey.generate(.ecdsa)
            releasesTUFKey = TUFKey(publicKey: releasesKey.publicKey)
            collection.targets.targets = ["1.0": RoleDroppingAttackTests.older]
            rootFile = try MetadataSigner.sign(collection.root.json, with: collection.rootSigners)
            delegate(true)
        }

        mutating func delegate(_ on: Bool) {
            collection.targets.delegations = on
                ? Delegations(keys: [releasesTUFKey.id: releasesTUFKey],
                              roles: [DelegatedRole(name: RoleName.releases, keyIDs: [releasesTUFKey.id], threshold: 1, paths: [""])])
                : Delegations()
        }

        /// The files, the snapshot listing `targets/releases` only when `listReleases`.
        func files(version: Int64, listReleases: Bool) throws -> [String: [UInt8]] {
            let releases = Targets(version: 1, expires: collection.expires, targets: ["1.0": RoleDroppingAttackTests.newer])
            let releasesBytes = try MetadataSigner.sign(releases.json, with: [(releasesTUFKey, releasesKey)]).serialized()
            let rootFile = self.rootFile
            var files = try collection.files(snapshotVersion: version, timestampVersion: version, editRoot: { $0 = rootFile })
            var snapshot = try Snapshot(signed: MetadataFile.parse(files["snapshot.json"]!, role: "snapshot").signed)
            if listReleases { snapshot.meta[RoleName.releases] = FileMeta(describing: releasesBytes) }
            let snapshotBytes = try MetadataSigner.sign(snapshot.json, with: collection.signer(RoleName.snapshot)).serialized()
            let timestamp = Timestamp(version: version, expires: collection.expires, snapshot: FileMeta(describing: snapshotBytes))
            files["snapshot.json"] = snapshotBytes
            files["timestamp.json"] = try MetadataSigner.sign(timestamp.json, with: collection.signer(RoleName.timestamp)).serialized()
            files["targets/releases.json"] = releasesBytes
            return files
        }

        /// What a client caches after an update: role → version (as `TrustDirectory.versions`).
        static func versions(_ verified: VerifiedCollection) -> [String: Int64] {
            var versions = ["timestamp": verified.timestamp.version, "snapshot": verified.snapshot.version]
            for (role, targets) in verified.targets { versions[role] = targets.version }
            return versions
        }
    }

    @Test func aSnapshotDroppingACachedDelegationIsRefused() throws {
        let repo = try Delegated()
        let first = try repo.files(version: 1, listReleases: true)
        let trusted = try repo.collection.update(first)
        #expect(trusted.lookup("1.0")?.meta == Self.newer)
        #expect(trusted.lookup("1.0")?.role == RoleName.releases)

        let dropped = try repo.files(version: 2, listReleases: false)
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: repo.collection.gun, now: repo.collection.now, trustedRoot: first["root.json"],
                             minimumVersions: Delegated.versions(trusted)).update(from: MemoryFetcher(files: dropped))
        }
        #expect(error.code == .rollback, "\(error)")
        #expect(error.role == RoleName.releases)
        #expect(error.message.contains("snapshot v2 does not list targets/releases"), "\(error.message)")
    }

    @Test func aSnapshotDroppingADelegationTheTrustedSnapshotListedIsRefused() throws {
        let repo = try Delegated()
        let first = try repo.files(version: 1, listReleases: true)
        _ = try repo.collection.update(first)
        let dropped = try repo.files(version: 2, listReleases: false)
        // No cached delegation file, only the previous snapshot (say the file was lost).
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: repo.collection.gun, now: repo.collection.now, trustedRoot: first["root.json"],
                             minimumVersions: ["snapshot": 1, "timestamp": 1, "targets": 1], trustedSnapshot: first["snapshot.json"])
                .update(from: MemoryFetcher(files: dropped))
        }
        #expect(error.code == .rollback && error.role == RoleName.releases, "\(error)")
        #expect(error.message.contains("the snapshot this client trusted before listed it"), "\(error.message)")
    }

    /// Decided: a delegation that `targets` delegates but no snapshot ever listed (Notary's state
    /// after `delegation add` + publish, before the first target is signed into it) is skipped
    /// with a warning, as Notary 0.7 does; python-tuf refuses the lookup instead. A client that
    /// never trusted the role cannot tell "not published yet" from "hidden"; `verify --delegation
    /// targets/releases` is the way to insist on it (docs/security.md).
    @Test func aDelegationNeverListedIsSkippedWithAWarning() throws {
        let repo = try Delegated()
        let files = try repo.files(version: 1, listReleases: false)
        let verified = try TrustUpdater(gun: repo.collection.gun, now: repo.collection.now, trustedSnapshot: nil)
            .update(from: MemoryFetcher(files: files))
        #expect(verified.lookup("1.0")?.meta == Self.older)
        #expect(verified.lookup("1.0")?.role == RoleName.targets)
        #expect(verified.warnings == ["targets/releases is delegated by targets but has not been published yet"])
    }

    /// A delegation its parent no longer delegates may leave the snapshot: that is a removal,
    /// signed by the targets key, not a drop by the snapshot key.
    @Test func aRemovedDelegationMayLeaveTheSnapshot() throws {
        var repo = try Delegated()
        let first = try repo.files(version: 1, listReleases: true)
        let trusted = try repo.collection.update(first)
        repo.delegate(false)
        repo.collection.targets.version = 2
        let removed = try repo.files(version: 2, listReleases: false)
        let verified = try TrustUpdater(gun: repo.collection.gun, now: repo.collection.now, trustedRoot: first["root.json"],
                                        minimumVersions: Delegated.versions(trusted), trustedSnapshot: first["snapshot.json"])
            .update(from: MemoryFetcher(files: removed))
        #expect(verified.lookup("1.0")?.meta == Self.older)
        #expect(verified.targets[RoleName.releases] == nil)
    }
}
