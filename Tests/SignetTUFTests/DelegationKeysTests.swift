import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// `Delegations.keys(of:)`: the keys of a delegated role are those its entry lists, never the
/// others its parent defines — the one rule the client's update, the server's publish validation
/// and the editor's signing all take.
@Suite struct DelegationKeysTests {
    @Test func anEntryHasOnlyTheKeysItLists() throws {
        let a = TUFKey(publicKey: try PrivateKey.generate(.ecdsa).publicKey)
        let b = TUFKey(publicKey: try PrivateKey.generate(.ecdsa).publicKey)
        let releases = DelegatedRole(name: RoleName.releases, keyIDs: [a.id], threshold: 1, paths: [""])
        let qa = DelegatedRole(name: "targets/qa", keyIDs: [b.id, a.id], threshold: 2, paths: [""])
        let delegations = Delegations(keys: [a.id: a, b.id: b], roles: [releases, qa])
        #expect(Array(delegations.keys(of: releases).keys) == [a.id])
        #expect(Set(delegations.keys(of: qa).keys) == [a.id, b.id])
        let none = DelegatedRole(name: "targets/none", keyIDs: [], threshold: 1, paths: nil)
        #expect(delegations.keys(of: none).isEmpty)
    }

    /// The way around it: sign `targets/releases` with the key the parent defines for
    /// `targets/qa`. The client does not trust the role (it is skipped, its targets unseen).
    @Test func aDelegationSignedByAKeyListedForAnotherDelegationIsNotTrusted() throws {
        var collection = try TestCollection()
        let releasesKey = TUFKey(publicKey: try PrivateKey.generate(.ecdsa).publicKey)
        let qaPrivate = try PrivateKey.generate(.ecdsa)
        let qaKey = TUFKey(publicKey: qaPrivate.publicKey)
        collection.targets.delegations = Delegations(keys: [releasesKey.id: releasesKey, qaKey.id: qaKey], roles: [
            DelegatedRole(name: RoleName.releases, keyIDs: [releasesKey.id], threshold: 1, paths: [""]),
            DelegatedRole(name: "targets/qa", keyIDs: [qaKey.id], threshold: 1, paths: [""]),
        ])
        let planted = Targets(version: 1, expires: collection.expires, targets: ["evil": FileMeta(describing: Array("planted".utf8))])
        let bytes = try MetadataSigner.sign(planted.json, with: [(qaKey, qaPrivate)]).serialized()
        let files = try collection.adding(delegations: [RoleName.releases: bytes], to: try collection.files())
        let verified = try collection.update(files)
        #expect(verified.targets[RoleName.releases] == nil)
        #expect(verified.untrusted[RoleName.releases] != nil)
        #expect(verified.lookup("evil") == nil)
        #expect(verified.warnings.contains { $0.hasPrefix("skipping targets/releases:") && $0.contains("0 distinct valid key(s), threshold 1") }, "\(verified.warnings)")
    }
}
