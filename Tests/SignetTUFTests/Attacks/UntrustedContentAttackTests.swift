import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: getting content that no valid key signed trusted through the owner's own client.
///
/// - A server that holds the snapshot key (the default) can list any file as a delegation's
///   content. When the role's keys were swapped, that file no longer verifies; if the next publish
///   carried its content over and re-signed it with the new key, whatever the server planted would
///   become trusted. A publish into such a role is refused unless the owner asks for the re-sign
///   (`witness`), and the refusal names the targets (notary#1500 is the usability side).
/// - A role whose `keyids` is `null` (Go's nil slice) has no keys, whatever `keys` defines.
/// - The update that renews an expired root accepts the expired root and nothing else that is
///   stale (freeze attack, TUF §5.4), and the ordinary update never accepts it.
@Suite("Attack: untrusted content") struct UntrustedContentAttackTests {
    /// targets delegates targets/releases to `listedKey`; the releases file (with `releasesTargets`)
    /// is signed by `signingKey`.
    static func collection(listedKeyIDs: (TUFKey) -> [String]?, signedByListedKey: Bool,
                           releasesTargets: [String: FileMeta]) throws -> (TestCollection, [String: [UInt8]]) {
        var collection = try TestCollection()
        let listedPrivate = try PrivateKey.generate(.ecdsa)
        let listed = TUFKey(publicKey: listedPrivate.publicKey)
        let otherPrivate = try PrivateKey.generate(.ecdsa)
        let other = TUFKey(publicKey: otherPrivate.publicKey)
        let ids = listedKeyIDs(listed)
        collection.targets.delegations = Delegations(keys: [listed.id: listed], roles: [
            DelegatedRole(name: "targets/releases", keyIDs: ids ?? [], threshold: 1, paths: [""]),
        ])
        let releases = Targets(version: 3, expires: collection.expires, targets: releasesTargets)
        let signer = signedByListedKey ? (listed, listedPrivate) : (other, otherPrivate)
        let releasesBytes = try MetadataSigner.sign(releases.json, with: [signer]).serialized()
        var files = try collection.files(editTargets: { file in
            guard ids == nil else { return }
            let text = String(decoding: try CanonicalJSON.encode(file.signed), as: UTF8.self)
                .replacingOccurrences(of: #""keyids":[]"#, with: #""keyids":null"#)
            file = try MetadataSigner.sign(JSONParser.parse(Array(text.utf8), what: "targets"), with: collection.signer(RoleName.targets))
        })
        files = try collection.adding(delegations: ["targets/releases": releasesBytes], to: files)
        return (collection, files)
    }

    static let planted = ["evil": FileMeta(describing: Array("planted by the server".utf8))]

    @Test func plantedDelegationContentIsNeitherTrustedNorCarriedIntoAPublish() throws {
        let (collection, files) = try Self.collection(listedKeyIDs: { [$0.id] }, signedByListedKey: false, releasesTargets: Self.planted)
        let verified = try collection.update(files)
        #expect(verified.lookup("evil") == nil)
        #expect(verified.untrusted["targets/releases"]?.targets.version == 3)

        var editor = RepositoryEditor(gun: collection.gun, root: verified.root, rootFile: try MetadataFile.parse(verified.rootBytes, role: RoleName.root),
                                      targets: verified.targets, files: verified.files, snapshot: verified.snapshot, isNew: false)
        editor.untrusted = verified.untrusted
        let error = try #require(throws: TUFError.self) {
            try editor.addTarget("2.0", meta: FileMeta(describing: Array("two".utf8)), role: "targets/releases", now: collection.now)
        }
        #expect(error.message.contains("targets/releases v3 on the server is not trusted"), "\(error.message)")
        #expect(error.message.contains("evil") && error.message.contains("signet witness \(collection.gun) targets/releases"), "\(error.message)")
        #expect(editor.targets["targets/releases"] == nil)
        #expect(!editor.dirty.contains("targets/releases"))
        // Removing a target is an edit too.
        let removal = #expect(throws: TUFError.self) { try editor.removeTarget("evil", role: "targets/releases", now: collection.now) }
        #expect(removal?.code == error.code)
        #expect(removal?.message.contains("targets/releases v3 on the server is not trusted") == true, "\(String(describing: removal))")

        // Only an explicit witness takes the content, past the server's version.
        try editor.witness("targets/releases")
        #expect(editor.targets["targets/releases"]?.targets["evil"] != nil)
        #expect(editor.targets["targets/releases"]?.version == 3)
    }

    @Test func anEmptyUntrustedRoleIsContinuedWithoutAWitness() throws {
        let (collection, files) = try Self.collection(listedKeyIDs: { [$0.id] }, signedByListedKey: false, releasesTargets: [:])
        let verified = try collection.update(files)
        var editor = RepositoryEditor(gun: collection.gun, root: verified.root, rootFile: try MetadataFile.parse(verified.rootBytes, role: RoleName.root),
                                      targets: verified.targets, files: verified.files, snapshot: verified.snapshot, isNew: false)
        editor.untrusted = verified.untrusted
        try editor.addTarget("2.0", meta: FileMeta(describing: Array("two".utf8)), role: "targets/releases", now: collection.now)
        #expect(editor.targets["targets/releases"]?.version == 3)  // signing makes it 4, past the server's
    }

    @Test func keyIDsNullTrustsNoSignatureEvenByAKeyThatKeysDefines() throws {
        // keys still defines the signer; keyids is null: the role has no keys.
        let (collection, files) = try Self.collection(listedKeyIDs: { _ in nil }, signedByListedKey: true,
                                                      releasesTargets: Self.planted)
        #expect(String(decoding: files["targets.json"]!, as: UTF8.self).contains(#""keyids":null"#))
        let verified = try collection.update(files)
        #expect(verified.lookup("evil") == nil)
        #expect(verified.warnings.contains { $0.contains("has no keys") }, "\(verified.warnings)")
    }

    @Test func renewingAnExpiredRootAcceptsNothingElseThatIsStale() throws {
        var collection = try TestCollection()
        collection.root.expires = TUFTime(Date().addingTimeInterval(-60))
        let files = try collection.files()
        // The ordinary update refuses the expired root and says how to renew it.
        let refused = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(refused.code == .expired && refused.role == RoleName.root)
        #expect(refused.message.contains("signet witness \(collection.gun) root"), "\(refused.message)")
        // The renewal update accepts it...
        let renewal = TrustUpdater(gun: collection.gun, now: collection.now, allowExpiredRoot: true)
        #expect(try renewal.update(from: MemoryFetcher(files: files)).root.expires < collection.now)
        // ...but not an expired timestamp with it.
        collection.expires = TUFTime(Date().addingTimeInterval(-30))
        let stale = try collection.files()
        let error = try #require(throws: TUFError.self) { try renewal.update(from: MemoryFetcher(files: stale)) }
        #expect(error.code == .expired && error.role == RoleName.timestamp, "\(error.message)")
    }
}
