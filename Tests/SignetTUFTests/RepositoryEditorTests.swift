import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// `RepositoryEditor` on its own: what each edit refuses (and that a refusal changes nothing),
/// which keys may sign a role, and what signing writes (versions, `Expiry`'s lifetimes, the
/// snapshot's entries). Each rule is tried with the way around it.
@Suite struct RepositoryEditorTests {
    static let meta = FileMeta(length: 3, hashes: ["sha256": Digest.sha256(Array("one".utf8))])

    /// A verified collection whose targets delegates `targets/releases` (key `releases`, all
    /// paths, published with target `1.0`) and `targets/qa` (key `qa`, paths `qa/`, not
    /// published), and an editor over it.
    struct Fixture {
        var collection: TestCollection
        var editor: RepositoryEditor
        var releases: (key: TUFKey, privateKey: PrivateKey)
        var qa: (key: TUFKey, privateKey: PrivateKey)

        init() throws {
            collection = try TestCollection()
            let releasesPrivate = try PrivateKey.generate(.ecdsa)
            let qaPrivate = try PrivateKey.generate(.ecdsa)
            releases = (TUFKey(publicKey: releasesPrivate.publicKey), releasesPrivate)
            qa = (TUFKey(publicKey: qaPrivate.publicKey), qaPrivate)
            collection.targets.delegations = Delegations(keys: [releases.key.id: releases.key, qa.key.id: qa.key], roles: [
                DelegatedRole(name: RoleName.releases, keyIDs: [releases.key.id], threshold: 1, paths: [""]),
                DelegatedRole(name: "targets/qa", keyIDs: [qa.key.id], threshold: 1, paths: ["qa/"]),
            ])
            let content = Targets(version: 1, expires: collection.expires, targets: ["1.0": RepositoryEditorTests.meta])
            let releasesBytes = try MetadataSigner.sign(content.json, with: [releases]).serialized()
            let files = try collection.adding(delegations: [RoleName.releases: releasesBytes], to: try collection.files())
            let verified = try collection.update(files)
            editor = RepositoryEditor(gun: collection.gun, root: verified.root, rootFile: try MetadataFile.parse(verified.rootBytes, role: RoleName.root),
                                      targets: verified.targets, files: verified.files, snapshot: verified.snapshot, isNew: false)
        }

        func signer(_ role: String) -> [RoleSigner] {
            let (key, privateKey) = collection.roleKeys[role]!
            return [RoleSigner(key: key, privateKey: privateKey)]
        }
    }

    /// Throws unless `bytes` is `role`'s file signed to `threshold` by `keys`.
    static func verify(_ bytes: [UInt8], role: String, keys: [TUFKey], threshold: Int64 = 1) throws {
        let file = try MetadataFile.parse(bytes, role: role)
        try SignatureThreshold.verify(file, role: role, keys: Dictionary(uniqueKeysWithValues: keys.map { ($0.id, $0) }), threshold: threshold)
    }

    // MARK: - Which keys sign a role

    @Test func targetsIsSignedByRootsTargetsKeys() throws {
        let fixture = try Fixture()
        let (keys, threshold) = try fixture.editor.signingKeys(for: RoleName.targets)
        #expect(keys.map(\.id) == [fixture.collection.roleKeys[RoleName.targets]!.0.id])
        #expect(threshold == 1)
    }

    /// The parent defines the `qa` key too, but lists it only for `targets/qa`: it is not a key
    /// of `targets/releases`, and the other way round.
    @Test func aDelegationIsSignedOnlyByTheKeysItsParentListsForIt() throws {
        let fixture = try Fixture()
        let releases = try fixture.editor.signingKeys(for: RoleName.releases)
        #expect(releases.keys.map(\.id) == [fixture.releases.key.id])
        #expect(releases.threshold == 1)
        let qa = try fixture.editor.signingKeys(for: "targets/qa")
        #expect(qa.keys.map(\.id) == [fixture.qa.key.id])
    }

    @Test func aRoleItsParentDoesNotDelegateHasNoSigningKeys() throws {
        let fixture = try Fixture()
        let error = try #require(throws: TUFError.self) { try fixture.editor.signingKeys(for: "targets/other") }
        #expect(error.code == .notFound)
        #expect(error.message == "targets/other is not delegated in \(fixture.collection.gun)")
    }

    // MARK: - Target edits

    @Test func aTargetCannotBeAddedToARoleThatIsNotDelegated() throws {
        var fixture = try Fixture()
        let error = try #require(throws: TUFError.self) { try fixture.editor.addTarget("2.0", meta: Self.meta, role: "targets/other", now: fixture.collection.now) }
        #expect(error.code == .notFound)
        #expect(error.message.contains("targets/other is not delegated in \(fixture.collection.gun)"), "\(error)")
        #expect(fixture.editor.targets["targets/other"] == nil)
        #expect(fixture.editor.dirty.isEmpty)
    }

    /// `targets/qa` may sign `qa/…` only; a name outside its paths is refused before anything
    /// changes, and one inside creates the role (version 0, to be signed as 1).
    @Test func aTargetOutsideTheDelegationsPathsIsRefused() throws {
        var fixture = try Fixture()
        let error = try #require(throws: TUFError.self) { try fixture.editor.addTarget("2.0", meta: Self.meta, role: "targets/qa", now: fixture.collection.now) }
        #expect(error.code == .invalidName)
        #expect(error.message.contains("outside the paths targets/qa may sign"), "\(error)")
        #expect(fixture.editor.targets["targets/qa"] == nil && fixture.editor.dirty.isEmpty)

        try fixture.editor.addTarget("qa/2.0", meta: Self.meta, role: "targets/qa", now: fixture.collection.now)
        #expect(fixture.editor.targets["targets/qa"]?.version == 0)
        #expect(fixture.editor.dirty == ["targets/qa"])
    }

    @Test func removingATargetTheRoleDoesNotHoldIsRefusedAndNamesTheHolders() throws {
        var fixture = try Fixture()
        let error = try #require(throws: TUFError.self) { try fixture.editor.removeTarget("1.0", role: "targets/qa", now: fixture.collection.now) }
        #expect(error.code == .notFound)
        #expect(error.message.contains("targets/qa does not hold \"1.0\""), "\(error)")
        #expect(error.message.contains("(held by targets, targets/releases)"), "\(error)")
        // The refusal marked nothing for signing; `force` re-signs the role anyway.
        #expect(fixture.editor.holders(of: "1.0") == [RoleName.targets, RoleName.releases])
        #expect(fixture.editor.dirty.isEmpty)
        try fixture.editor.removeTarget("absent", role: RoleName.targets, now: fixture.collection.now, force: true)
        #expect(fixture.editor.dirty == [RoleName.targets])
    }

    @Test func removingATargetRemovesItsExactName() throws {
        var fixture = try Fixture()
        try fixture.editor.removeTarget("1.0", role: RoleName.releases, now: fixture.collection.now)
        #expect(fixture.editor.targets[RoleName.releases]?.targets.isEmpty == true)
        #expect(fixture.editor.holders(of: "1.0") == [RoleName.targets])
    }

    @Test func witnessingARoleWithNoMetadataIsRefused() throws {
        var fixture = try Fixture()
        let error = try #require(throws: TUFError.self) { try fixture.editor.witness("targets/qa") }
        #expect(error.code == .notFound)
        #expect(fixture.editor.dirty.isEmpty)
    }

    // MARK: - Delegation edits

    @Test func aDelegationThresholdBelowOneIsRefused() throws {
        var fixture = try Fixture()
        var edit = RepositoryEditor.DelegationEdit()
        edit.threshold = 0
        let error = try #require(throws: TUFError.self) { try fixture.editor.updateDelegation(RoleName.releases, edit: edit, now: fixture.collection.now) }
        #expect(error.code == .threshold)
        #expect(error.message == "targets/releases threshold must be at least 1")
        #expect(fixture.editor.targets[RoleName.targets]?.delegations.roles.first { $0.name == RoleName.releases }?.threshold == 1)
    }

    /// Removing a key by the ID of a key the parent defines for another delegation removes
    /// nothing, so it is refused, naming the delegation's real keys.
    @Test func removingAKeyTheDelegationDoesNotListIsRefused() throws {
        var fixture = try Fixture()
        var edit = RepositoryEditor.DelegationEdit()
        edit.removeKeys = [fixture.qa.key.id]
        let error = try #require(throws: TUFError.self) { try fixture.editor.updateDelegation(RoleName.releases, edit: edit, now: fixture.collection.now) }
        #expect(error.code == .notFound)
        #expect(error.message.contains("its keys are \(try fixture.releases.key.canonicalID())"), "\(error)")
        #expect(try fixture.editor.signingKeys(for: RoleName.releases).keys.map(\.id) == [fixture.releases.key.id])
    }

    /// A removed delegation leaves its parent, its key (no longer listed by any role), the
    /// editor's files and the next snapshot.
    @Test func removingADelegationDropsItEverywhere() throws {
        var fixture = try Fixture()
        try fixture.editor.removeDelegation(RoleName.releases, now: fixture.collection.now)
        let parent = try #require(fixture.editor.targets[RoleName.targets])
        #expect(!parent.delegations.roles.contains { $0.name == RoleName.releases })
        #expect(parent.delegations.keys[fixture.releases.key.id] == nil)
        #expect(parent.delegations.keys[fixture.qa.key.id] != nil)
        #expect(fixture.editor.files[RoleName.releases] == nil)
        try fixture.editor.signTargets(RoleName.targets, with: fixture.signer(RoleName.targets), now: fixture.collection.now)
        try fixture.editor.signSnapshot(with: fixture.signer(RoleName.snapshot), now: fixture.collection.now)
        #expect(fixture.editor.snapshot?.meta[RoleName.releases] == nil)

        let again = try #require(throws: TUFError.self) { try fixture.editor.removeDelegation(RoleName.releases, now: fixture.collection.now) }
        #expect(again.code == .notFound)
        #expect(again.message.contains("there is no delegation to remove"), "\(again)")
    }

    // MARK: - Signing

    @Test func signingTargetsRaisesTheVersionByOneAndSetsTheTargetsLifetime() throws {
        var fixture = try Fixture()
        let now = fixture.collection.now
        try fixture.editor.addTarget("2.0", meta: Self.meta, role: RoleName.targets, now: now)
        try fixture.editor.signTargets(RoleName.targets, with: fixture.signer(RoleName.targets), now: now)
        let signed = try #require(fixture.editor.targets[RoleName.targets])
        #expect(signed.version == 2)
        #expect(signed.expires == now.adding(seconds: Expiry.targetsSeconds))
        let bytes = try #require(fixture.editor.files[RoleName.targets])
        try Self.verify(bytes, role: RoleName.targets, keys: fixture.editor.signingKeys(for: RoleName.targets).keys)
        let parsed = try Targets(signed: MetadataFile.parse(bytes, role: RoleName.targets).signed, role: RoleName.targets)
        #expect(parsed.version == 2 && parsed.targets["2.0"] == Self.meta)
    }

    /// A delegation signed by a key its parent does not list for it does not verify with the
    /// keys that may sign it: the editor signs with whatever it is given, the keys come from
    /// `signingKeys`.
    @Test func aDelegationSignedByAnotherDelegationsKeyDoesNotVerify() throws {
        var fixture = try Fixture()
        let now = fixture.collection.now
        try fixture.editor.addTarget("2.0", meta: Self.meta, role: RoleName.releases, now: now)
        try fixture.editor.signTargets(RoleName.releases, with: [RoleSigner(key: fixture.qa.key, privateKey: fixture.qa.privateKey)], now: now)
        let bytes = try #require(fixture.editor.files[RoleName.releases])
        let error = try #require(throws: TUFError.self) {
            try Self.verify(bytes, role: RoleName.releases, keys: fixture.editor.signingKeys(for: RoleName.releases).keys)
        }
        #expect(error.code == .threshold)
    }

    @Test func aNewCollectionIsSignedAtVersionOne() throws {
        let collection = try TestCollection()
        let rootFile = try MetadataSigner.sign(collection.root.json, with: collection.rootSigners)
        var editor = RepositoryEditor(gun: collection.gun, root: collection.root, rootFile: rootFile,
                                      targets: [RoleName.targets: Targets(version: 0, expires: collection.now)], files: [:], snapshot: nil, isNew: true)
        let (targetsKey, targetsPrivate) = collection.roleKeys[RoleName.targets]!
        let (snapshotKey, snapshotPrivate) = collection.roleKeys[RoleName.snapshot]!
        try editor.signRoot(with: [RoleSigner(key: collection.rootTUFKey, privateKey: collection.rootKey)], now: collection.now)
        try editor.signTargets(RoleName.targets, with: [RoleSigner(key: targetsKey, privateKey: targetsPrivate)], now: collection.now)
        try editor.signSnapshot(with: [RoleSigner(key: snapshotKey, privateKey: snapshotPrivate)], now: collection.now)
        #expect(editor.root.version == 1)
        #expect(editor.root.expires == collection.now.adding(seconds: Expiry.rootSeconds))
        #expect(editor.targets[RoleName.targets]?.version == 1)
        #expect(editor.snapshot?.version == 1)
        // Signed again before the first publish, a new collection stays at version 1.
        try editor.signTargets(RoleName.targets, with: [RoleSigner(key: targetsKey, privateKey: targetsPrivate)], now: collection.now)
        #expect(editor.targets[RoleName.targets]?.version == 1)
    }

    @Test func signingRootRaisesItsVersionAndSetsTheRootLifetime() throws {
        var fixture = try Fixture()
        let now = fixture.collection.now
        try fixture.editor.signRoot(with: [RoleSigner(key: fixture.collection.rootTUFKey, privateKey: fixture.collection.rootKey)], now: now)
        #expect(fixture.editor.root.version == 2)
        #expect(fixture.editor.root.expires == now.adding(seconds: Expiry.rootSeconds))
        #expect(fixture.editor.dirty.contains(RoleName.root))
        let file = try MetadataFile.parse(try #require(fixture.editor.files[RoleName.root]), role: RoleName.root)
        #expect(try RootRotation.verify(file, gun: fixture.collection.gun, at: now, previous: fixture.collection.root).version == 2)
    }

    /// The snapshot lists every file the editor holds (root, targets, each delegation) at its
    /// current bytes, never the snapshot or the timestamp themselves, so a file changed after
    /// the previous snapshot cannot be paired with its old hashes.
    @Test func theSnapshotListsEveryCurrentFileButSnapshotAndTimestamp() throws {
        var fixture = try Fixture()
        let now = fixture.collection.now
        #expect(fixture.editor.files[RoleName.timestamp] != nil, "the editor holds the timestamp it verified")
        let oldTargetsMeta = try #require(fixture.editor.snapshot?.meta[RoleName.targets])
        try fixture.editor.addTarget("2.0", meta: Self.meta, role: RoleName.targets, now: now)
        try fixture.editor.signTargets(RoleName.targets, with: fixture.signer(RoleName.targets), now: now)
        try fixture.editor.signSnapshot(with: fixture.signer(RoleName.snapshot), now: now)

        let snapshot = try #require(fixture.editor.snapshot)
        #expect(Set(snapshot.meta.keys) == [RoleName.root, RoleName.targets, RoleName.releases])
        for role in snapshot.meta.keys {
            #expect(snapshot.meta[role] == FileMeta(describing: fixture.editor.files[role]!), "\(role)")
        }
        #expect(snapshot.meta[RoleName.targets] != oldTargetsMeta)
        #expect(snapshot.version == 2)
        #expect(snapshot.expires == now.adding(seconds: Expiry.snapshotSeconds))
        let bytes = try #require(fixture.editor.files[RoleName.snapshot])
        try Self.verify(bytes, role: RoleName.snapshot, keys: Array(fixture.editor.root.roleKeys(RoleName.snapshot).keys.values))
        let parsed = try Snapshot(signed: MetadataFile.parse(bytes, role: RoleName.snapshot).signed)
        #expect(parsed.meta == snapshot.meta && parsed.version == 2)
    }
}
