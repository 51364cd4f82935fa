import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: root takeover through rotation. Whoever can write a collection's `root.json` on the
/// server (a compromised server, or a holder of only some root keys) offers a new root listing
/// keys of their own. `RootRotation` accepts a new root only when the previous root's threshold
/// of its root keys AND the new root's own threshold signed it, when `N.root.json` is version N,
/// when the root reached has not expired, and when it still satisfies the client's pin (TUF 1.0
/// §5.3; Notary `tuf/builder.go`, `trustpinning/certs.go`; the server's "Root modifications must
/// increment the version"). Each rule below is tried with the way around it.
@Suite("Attack: root rotation") struct RootRotationAttackTests {
    /// A root certificate key for `collection`'s GUN, valid from a minute ago for `days`.
    static func rootKey(_ collection: TestCollection, days: Double = 365) throws -> (key: TUFKey, privateKey: PrivateKey) {
        let privateKey = try PrivateKey.generate(.ecdsa)
        let certificate = try Certificate.selfSigned(commonName: collection.gun, key: privateKey, notBefore: Date().addingTimeInterval(-60),
                                                     notAfter: Date().addingTimeInterval(86400 * days))
        return (try TUFKey(certificate: certificate), privateKey)
    }

    /// `collection.root` at `version`, its root role listing `keys` with `threshold`.
    static func root(_ collection: TestCollection, version: Int64, keys: [TUFKey], threshold: Int64 = 1) -> Root {
        var root = collection.root
        root.version = version
        for id in root.roles[RoleName.root]!.keyIDs { root.keys[id] = nil }
        for key in keys { root.keys[key.id] = key }
        root.roles[RoleName.root] = RoleKeys(keyIDs: keys.map(\.id), threshold: threshold)
        return root
    }

    static func sign(_ root: Root, _ signers: [(key: TUFKey, privateKey: PrivateKey)]) throws -> MetadataFile {
        try MetadataSigner.sign(root.json, with: signers)
    }

    /// The collection's files with root replaced by `root` signed by `signers`, `N.root.json`
    /// for it, and the bytes of the collection's original root (the client's trusted root).
    static func rotated(_ collection: TestCollection, to root: Root, signers: [(key: TUFKey, privateKey: PrivateKey)]) throws -> (trusted: [UInt8], files: [String: [UInt8]]) {
        let trusted = try collection.files()["root.json"]!
        var next = collection
        next.root = root
        next.rootSigners = signers
        var files = try next.files()
        files["\(root.version).root.json"] = files["root.json"]
        return (trusted, files)
    }

    static func update(_ collection: TestCollection, trusted: [UInt8], files: [String: [UInt8]], pin: RootPin? = nil) throws -> VerifiedCollection {
        try TrustUpdater(gun: collection.gun, now: collection.now, pin: pin, trustedRoot: trusted).update(from: MemoryFetcher(files: files))
    }

    // MARK: - Threshold of the old root AND of the new one

    @Test func anHonestRotationSignedByOldAndNewKeysIsFollowed() throws {
        let collection = try TestCollection()
        let new = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [new.key])
        let (trusted, files) = try Self.rotated(collection, to: v2, signers: collection.rootSigners + [new])
        let verified = try Self.update(collection, trusted: trusted, files: files)
        #expect(verified.root.version == 2)
        #expect(verified.rootVersionsWalked == [2])
    }

    /// The takeover itself: a new root listing only the attacker's key, signed only by it.
    @Test func aNewRootSignedOnlyByItsOwnNewKeyIsRefused() throws {
        let collection = try TestCollection()
        let attacker = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [attacker.key])
        let error = try #require(throws: TUFError.self) {
            try RootRotation.verify(Self.sign(v2, [attacker]), gun: collection.gun, at: collection.now, previous: collection.root)
        }
        #expect(error.code == .threshold)
        #expect(error.message.contains("root v2 is not signed by the keys of trusted root v1"), "\(error)")
        // And through the client's update, which keeps trusting v1 and says why.
        let (trusted, files) = try Self.rotated(collection, to: v2, signers: [attacker])
        let updateError = try #require(throws: TUFError.self) { try Self.update(collection, trusted: trusted, files: files) }
        #expect(updateError.code == .threshold)
        #expect(updateError.message.contains("is not signed by the keys of trusted root v1"), "\(updateError)")
    }

    /// The old key alone cannot bring in a new key that did not sign: the new root's own
    /// threshold is over its own keys.
    @Test func aNewRootSignedOnlyByTheOldKeyIsRefused() throws {
        let collection = try TestCollection()
        let new = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [new.key])
        let error = try #require(throws: TUFError.self) {
            try RootRotation.verify(Self.sign(v2, collection.rootSigners), gun: collection.gun, at: collection.now, previous: collection.root)
        }
        #expect(error.code == .threshold)
        #expect(!error.message.contains("trusted root"), "the previous root's threshold was met: \(error)")
        #expect(error.message.contains("0 distinct valid key(s), threshold 1"), "\(error)")
    }

    /// With an old threshold of 2, one of the two old keys plus the attacker's is not enough,
    /// even when the new root lowers its own threshold to 1.
    @Test func thePreviousRootsThresholdIsItsOwnNotTheNewRoots() throws {
        var collection = try TestCollection()
        let second = try Self.rootKey(collection)
        collection.root = Self.root(collection, version: 1, keys: [collection.rootTUFKey, second.key], threshold: 2)
        let attacker = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [attacker.key], threshold: 1)
        let error = try #require(throws: TUFError.self) {
            try RootRotation.verify(Self.sign(v2, collection.rootSigners + [attacker]), gun: collection.gun, at: collection.now, previous: collection.root)
        }
        #expect(error.code == .threshold)
        #expect(error.message.contains("not signed by the keys of trusted root v1"), "\(error)")
        #expect(error.message.contains("1 distinct valid key(s), threshold 2"), "\(error)")
        // Both old keys and the new one: accepted.
        let accepted = try RootRotation.verify(Self.sign(v2, collection.rootSigners + [second, attacker]), gun: collection.gun, at: collection.now, previous: collection.root)
        #expect(accepted.version == 2)
    }

    /// The previous root's keys count even when their certificates have expired (Notary), so an
    /// owner can rotate away from an expired root certificate; the new root's certificate must be
    /// valid.
    @Test func anExpiredOldCertificateStillSignsTheRotationButAnExpiredNewOneDoesNot() throws {
        var collection = try TestCollection()
        let expiredKey = try PrivateKey.generate(.ecdsa)
        let expiredCertificate = try Certificate.selfSigned(commonName: collection.gun, key: expiredKey, notBefore: Date().addingTimeInterval(-86400 * 30),
                                                            notAfter: Date().addingTimeInterval(-86400))
        let old = (key: try TUFKey(certificate: expiredCertificate), privateKey: expiredKey)
        collection.root = Self.root(collection, version: 1, keys: [old.key])
        let new = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [new.key])
        let accepted = try RootRotation.verify(Self.sign(v2, [old, new]), gun: collection.gun, at: collection.now, previous: collection.root)
        #expect(accepted.version == 2)

        let stale = Self.root(collection, version: 2, keys: [old.key])
        let error = try #require(throws: TUFError.self) {
            try RootRotation.verify(Self.sign(stale, [old]), gun: collection.gun, at: collection.now, previous: collection.root)
        }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("has no valid root certificate"), "\(error)")
        #expect(error.message.contains("expired at"), "\(error)")
    }

    // MARK: - Version + 1

    /// `2.root.json` that is really version 3 (a skipped step, its signatures valid) is refused.
    @Test func aStepWhoseVersionIsNotItsNameIsRefused() throws {
        let collection = try TestCollection()
        let v3 = Self.root(collection, version: 3, keys: [collection.rootTUFKey])
        var (trusted, files) = try Self.rotated(collection, to: v3, signers: collection.rootSigners)
        files["2.root.json"] = files["root.json"]
        let error = try #require(throws: TUFError.self) { try Self.update(collection, trusted: trusted, files: files) }
        #expect(error.code == .rollback)
        #expect(error.message.contains("2.root.json has version 3, expected 2"), "\(error)")
    }

    /// A missing step cannot be jumped over.
    @Test func aMissingStepIsRefused() throws {
        let collection = try TestCollection()
        let v3 = Self.root(collection, version: 3, keys: [collection.rootTUFKey])
        let (trusted, files) = try Self.rotated(collection, to: v3, signers: collection.rootSigners)
        let error = try #require(throws: TUFError.self) { try Self.update(collection, trusted: trusted, files: files) }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("2.root.json not found"), "\(error)")
    }

    @Test func aPublishMayKeepTheVersionOrRaiseItByOne() {
        #expect(RootRotation.isAcceptablePublishedVersion(1, replacing: nil))
        #expect(!RootRotation.isAcceptablePublishedVersion(2, replacing: nil))
        #expect(!RootRotation.isAcceptablePublishedVersion(0, replacing: nil))
        #expect(RootRotation.isAcceptablePublishedVersion(4, replacing: 4))
        #expect(RootRotation.isAcceptablePublishedVersion(5, replacing: 4))
        #expect(!RootRotation.isAcceptablePublishedVersion(6, replacing: 4))
        #expect(!RootRotation.isAcceptablePublishedVersion(3, replacing: 4))
        // At the maximum there is no next version, and nothing wraps around.
        #expect(RootRotation.isAcceptablePublishedVersion(MetadataVersion.maximum, replacing: MetadataVersion.maximum))
        #expect(!RootRotation.isAcceptablePublishedVersion(1, replacing: MetadataVersion.maximum))
        #expect(!RootRotation.isAcceptablePublishedVersion(MetadataVersion.maximum &+ 1, replacing: MetadataVersion.maximum))
    }

    // MARK: - Expiry

    /// A validly rotated root that has expired is refused once reached; the client does not fall
    /// back to calling the collection trusted.
    @Test func anExpiredNewRootIsRefused() throws {
        let collection = try TestCollection()
        var v2 = Self.root(collection, version: 2, keys: [collection.rootTUFKey])
        v2.expires = collection.now.adding(seconds: -1)
        let (trusted, files) = try Self.rotated(collection, to: v2, signers: collection.rootSigners)
        let error = try #require(throws: TUFError.self) { try Self.update(collection, trusted: trusted, files: files) }
        #expect(error.code == .expired)
        #expect(error.role == RoleName.root)
        #expect(error.message.contains("root v2 of \(collection.gun) expired at"), "\(error)")
    }

    /// An expired intermediate root does not stop the walk (TUF 1.0 §5.3: only the root reached
    /// is judged for expiry), so a collection whose owner let an old root lapse can still move on.
    @Test func anExpiredIntermediateRootDoesNotStopTheWalk() throws {
        let collection = try TestCollection()
        var v2 = Self.root(collection, version: 2, keys: [collection.rootTUFKey])
        v2.expires = collection.now.adding(seconds: -1)
        let v3 = Self.root(collection, version: 3, keys: [collection.rootTUFKey])
        var (trusted, files) = try Self.rotated(collection, to: v3, signers: collection.rootSigners)
        files["2.root.json"] = try Self.sign(v2, collection.rootSigners).serialized()
        let verified = try Self.update(collection, trusted: trusted, files: files)
        #expect(verified.root.version == 3)
        #expect(verified.rootVersionsWalked == [2, 3])
    }

    // MARK: - Pinned key

    /// A holder of the old root key rotates to a root without the pinned certificate: every step
    /// is validly signed, but a pinned client refuses the root it reaches.
    @Test func aRotationAwayFromThePinnedKeyIsRefused() throws {
        let collection = try TestCollection()
        let attacker = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [attacker.key])
        let (trusted, files) = try Self.rotated(collection, to: v2, signers: collection.rootSigners + [attacker])
        let pinnedID = try collection.rootTUFKey.canonicalID()
        let error = try #require(throws: TUFError.self) { try Self.update(collection, trusted: trusted, files: files, pin: .keyID(pinnedID)) }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("root v2 does not match the pinned key ID \(pinnedID)"), "\(error)")
        // Without a pin the same rotation is followed: the refusal above is the pin's.
        #expect(try Self.update(collection, trusted: trusted, files: files).root.version == 2)
    }

    /// Listing the pinned key beside the attacker's is not enough: the pinned key must sign.
    @Test func aRotatedRootListingButNotSignedByThePinnedKeyIsRefused() throws {
        let collection = try TestCollection()
        let attacker = try Self.rootKey(collection)
        let v2 = Self.root(collection, version: 2, keys: [attacker.key, collection.rootTUFKey])
        // The previous root's threshold is met by the old key on the rotation... then the
        // attacker re-signs v3 with only their own key, v3 still listing the pinned key.
        let v3 = Self.root(collection, version: 3, keys: [attacker.key, collection.rootTUFKey])
        var (trusted, files) = try Self.rotated(collection, to: v3, signers: [attacker])
        files["2.root.json"] = try Self.sign(v2, collection.rootSigners + [attacker]).serialized()
        let error = try #require(throws: TUFError.self) {
            try Self.update(collection, trusted: trusted, files: files, pin: .certificate(try collection.rootTUFKey.leafCertificate()))
        }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("lists the pinned certificate"), "\(error)")
        #expect(error.message.contains("but is not signed by it"), "\(error)")
    }
}
