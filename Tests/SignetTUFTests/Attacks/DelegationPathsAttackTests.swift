import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// A delegation restricted to path prefixes signs a target whose name only *looks* as if it lies
/// inside them: the same text in another Unicode normalization form (`café/` precomposed in the
/// paths, `cafe\u{301}/1` decomposed in the name). Swift's `String.hasPrefix` compares by
/// canonical equivalence and would let it through; Notary (Go `strings.HasPrefix`) compares bytes
/// and does not, so a Signet verifier would trust a tag that every Notary and Docker client
/// refuses, and the other way round (`tea` is a byte prefix of `tea\u{301}x`, not a Swift one).
/// Rule: `DelegationPaths` (TUF spec §5.6.7.2: a delegation's `paths` are prefixes of target
/// names; Notary `data.DelegationRole.CheckPaths`). No published advisory mirrors this exact case.
@Suite("Attack: delegation paths")
struct DelegationPathsAttackTests {
    static let precomposed = "caf\u{E9}/"
    static let decomposedName = "cafe\u{301}/1"
    static let bytePrefixName = "tea\u{301}x"

    /// A collection whose `targets/qa` may sign `café/` (precomposed) and `tea`, holding the two
    /// names above, all signed; returns the verified result.
    func verifiedCollection() throws -> VerifiedCollection {
        var collection = try TestCollection()
        let qaPrivate = try PrivateKey.generate(.ecdsa)
        let qaKey = TUFKey(publicKey: qaPrivate.publicKey)
        collection.targets.delegations = Delegations(keys: [qaKey.id: qaKey], roles: [
            DelegatedRole(name: "targets/qa", keyIDs: [qaKey.id], threshold: 1, paths: [Self.precomposed, "tea"]),
        ])
        let meta = FileMeta(length: 1, hashes: ["sha256": Digest.sha256(Array("m".utf8))])
        let qa = Targets(version: 1, expires: collection.expires, targets: [Self.decomposedName: meta, Self.bytePrefixName: meta])
        let qaBytes = try MetadataSigner.sign(qa.json, with: [(qaKey, qaPrivate)]).serialized()
        var files = try collection.files()
        files = try collection.adding(delegations: ["targets/qa": qaBytes], to: files)
        return try collection.update(files)
    }

    @Test func aNameInAnotherNormalizationFormIsNotInsideThePath() throws {
        let verified = try verifiedCollection()
        #expect(verified.targets["targets/qa"]?.targets.count == 2, "the role itself verified")
        #expect(verified.lookup(Self.decomposedName) == nil, "decomposed name trusted under a precomposed path")
        #expect(!verified.list().map(\.name).contains(Self.decomposedName))
    }

    @Test func aBytePrefixCountsAsNotaryCountsIt() throws {
        let verified = try verifiedCollection()
        #expect(verified.lookup(Self.bytePrefixName)?.role == "targets/qa")
    }

    /// The editor (what publish signs) and the rule agree with the verifier.
    @Test func theEditorRefusesToSignANameOutsideThePaths() throws {
        let collection = try TestCollection()
        var targets = collection.targets
        let key = TUFKey(publicKey: try PrivateKey.generate(.ecdsa).publicKey)
        targets.delegations = Delegations(keys: [key.id: key], roles: [
            DelegatedRole(name: "targets/qa", keyIDs: [key.id], threshold: 1, paths: [Self.precomposed]),
        ])
        var editor = RepositoryEditor(gun: collection.gun, root: collection.root, rootFile: MetadataFile(signed: collection.root.json, signatures: []),
                                      targets: [RoleName.targets: targets], files: [:], snapshot: nil, isNew: false)
        let meta = FileMeta(length: 1, hashes: ["sha256": Digest.sha256(Array("m".utf8))])
        let error = #expect(throws: TUFError.self) { try editor.addTarget(Self.decomposedName, meta: meta, role: "targets/qa", now: collection.now) }
        #expect(error?.code == .invalidName)
        #expect(error?.message.contains("is outside the paths targets/qa may sign") == true, "\(String(describing: error))")
        #expect(editor.dirty.isEmpty)
        try editor.addTarget(Self.precomposed + "1", meta: meta, role: "targets/qa", now: collection.now)
        #expect(DelegationPaths.allows(Self.bytePrefixName, paths: ["tea"]))
        #expect(!DelegationPaths.allows(Self.decomposedName, paths: [Self.precomposed]))
        #expect(DelegationPaths.restrict(["a/b/", "c/"], to: ["a/"]) == ["a/b/"])
        #expect(DelegationPaths.restrict(nil, to: DelegationPaths.everything).isEmpty)
    }
}
