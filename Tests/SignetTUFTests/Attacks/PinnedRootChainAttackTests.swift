import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: riding a pin that follows root rotations (`PinnedRootChain`, issue 16). A CI job pins
/// the collection's original root certificate; after rotations the pin is followed through the
/// signed chain `N.root.json` → … → the current root. Whoever controls the server offers a chain of
/// their own: an intermediate `N.root.json` not signed by version N−1's threshold, a current root
/// that does not descend from the pinned one, a version file that lies about its version, or a
/// chain too long to read. Each must stop the walk; and a pin that no version meets is still
/// refused, naming the versions tried. Mirrors python-tuf/go-tuf's root-chain rules (TUF 1.0
/// §5.3.4–5.3.7) and the key/identity confusion class of GHSA-pwqf-9h7j-7mv8.
@Suite("Attack: pinned root chain") struct PinnedRootChainAttackTests {
    typealias Signer = (key: TUFKey, privateKey: PrivateKey)

    /// A collection whose root went v1 (`original`, pinned) → v2 (`second`) → v3 (`third`), each
    /// rotation signed by the outgoing and the incoming key, as `signet key rotate GUN root` does.
    struct Rotated {
        var collection: TestCollection
        var original: Signer
        var second: Signer
        var third: Signer
        var files: [String: [UInt8]]
        var originalCertificate: Certificate
    }

    static func rotatedTwice() throws -> Rotated {
        let collection = try TestCollection()
        let original = collection.rootSigners[0]
        let second = try RootRotationAttackTests.rootKey(collection)
        let third = try RootRotationAttackTests.rootKey(collection)
        let v1 = try collection.files()["root.json"]!
        let v2 = RootRotationAttackTests.root(collection, version: 2, keys: [second.key])
        let v3 = RootRotationAttackTests.root(collection, version: 3, keys: [third.key])
        let (_, rotated) = try RootRotationAttackTests.rotated(collection, to: v3, signers: [second, third])
        var files = rotated
        files["1.root.json"] = v1
        files["2.root.json"] = try RootRotationAttackTests.sign(v2, [original, second]).serialized()
        return Rotated(collection: collection, original: original, second: second, third: third, files: files,
                       originalCertificate: try original.key.leafCertificate())
    }

    static func update(_ rotated: Rotated, files: [String: [UInt8]]? = nil, pin: RootPin, trusted: [UInt8]? = nil,
                       follows: Bool = true, maxRootChainBytes: Int? = nil) throws -> VerifiedCollection {
        var updater = TrustUpdater(gun: rotated.collection.gun, now: rotated.collection.now, pin: pin, trustedRoot: trusted, pinFollowsRotation: follows)
        if let maxRootChainBytes { updater.maxRootChainBytes = maxRootChainBytes }
        return try updater.update(from: MemoryFetcher(files: files ?? rotated.files))
    }

    @Test func aPinToTheOriginalRootFollowsTwoRotations() throws {
        let rotated = try Self.rotatedTwice()
        for pin: RootPin in [.certificate(rotated.originalCertificate), .keyID(rotated.original.key.id),
                             .keyID(try rotated.original.key.canonicalID()), .publicKey(rotated.originalCertificate.publicKey)] {
            let verified = try Self.update(rotated, pin: pin)
            #expect(verified.root.version == 3, "\(pin)")
            #expect(verified.rootPinnedVersion == 1, "\(pin)")
            #expect(verified.lookup("1.0") != nil)
        }
        // A client that trusted v1 before (cached) follows the same way.
        let cached = try Self.update(rotated, pin: .certificate(rotated.originalCertificate), trusted: rotated.files["1.root.json"])
        #expect(cached.root.version == 3)
        // A pin to the current root is met by it directly.
        #expect(try Self.update(rotated, pin: .keyID(rotated.third.key.id)).rootPinnedVersion == 3)
        // Notary 0.7's rule (the default): the pin must match the current root.
        let strict = try #require(throws: TUFError.self) { try Self.update(rotated, pin: .certificate(rotated.originalCertificate), follows: false) }
        #expect(strict.code == .untrustedRoot)
        #expect(strict.message.contains("root v3 does not match the pinned certificate"), "\(strict.message)")
    }

    @Test func aPinThatNoVersionMeetsIsRefusedNamingTheVersionsTried() throws {
        let rotated = try Self.rotatedTwice()
        let unrelated = try RootRotationAttackTests.rootKey(rotated.collection)
        let error = try #require(throws: TUFError.self) { try Self.update(rotated, pin: .certificate(try unrelated.key.leafCertificate())) }
        #expect(error.code == .untrustedRoot)
        #expect(error.role == RoleName.root)
        #expect(error.message.contains("versions tried: v3, v2, v1"), "\(error.message)")
        #expect(error.message.contains("does not match the pinned certificate"), "\(error.message)")
    }

    /// The attacker swaps in their own v2, listing their key, signed by it alone: not by v1's
    /// threshold. Their v3 is properly signed by their v2 key. The walk stops at v2.
    @Test func anIntermediateRootNotSignedByItsPredecessorsThresholdStopsTheWalk() throws {
        let rotated = try Self.rotatedTwice()
        let attacker = try RootRotationAttackTests.rootKey(rotated.collection)
        let attackerV2 = RootRotationAttackTests.root(rotated.collection, version: 2, keys: [attacker.key])
        let attackerV3 = RootRotationAttackTests.root(rotated.collection, version: 3, keys: [attacker.key])
        var (_, files) = try RootRotationAttackTests.rotated(rotated.collection, to: attackerV3, signers: [attacker])
        files["1.root.json"] = rotated.files["1.root.json"]
        files["2.root.json"] = try RootRotationAttackTests.sign(attackerV2, [attacker]).serialized()
        let error = try #require(throws: TUFError.self) { try Self.update(rotated, files: files, pin: .certificate(rotated.originalCertificate)) }
        #expect(error.code == .threshold, "\(error)")
        #expect(error.message.contains("root v2 is not signed by the keys of trusted root v1"), "\(error.message)")
        // Also when only the top of the chain is forged: the honest v2 does not sign the attacker's v3.
        var topForged = rotated.files
        let (_, forgedTop) = try RootRotationAttackTests.rotated(rotated.collection, to: attackerV3, signers: [attacker])
        for name in ["root.json", "3.root.json", "timestamp.json", "snapshot.json", "targets.json"] { topForged[name] = forgedTop[name] }
        let top = try #require(throws: TUFError.self) { try Self.update(rotated, files: topForged, pin: .certificate(rotated.originalCertificate)) }
        #expect(top.code == .threshold, "\(top)")
        #expect(top.message.contains("root v3 is not signed by the keys of trusted root v2"), "\(top.message)")
    }

    /// An intermediate that lists the pinned certificate but is signed by the attacker only does
    /// not meet the pin (the pinned key must sign), so the search goes on to v1 and the climb then
    /// fails at that intermediate.
    @Test func anIntermediateListingThePinnedKeyButNotSignedByItIsNoAnchor() throws {
        let rotated = try Self.rotatedTwice()
        let attacker = try RootRotationAttackTests.rootKey(rotated.collection)
        let listing = RootRotationAttackTests.root(rotated.collection, version: 2, keys: [rotated.original.key, attacker.key])
        let attackerV3 = RootRotationAttackTests.root(rotated.collection, version: 3, keys: [attacker.key])
        var (_, files) = try RootRotationAttackTests.rotated(rotated.collection, to: attackerV3, signers: [attacker])
        files["1.root.json"] = rotated.files["1.root.json"]
        files["2.root.json"] = try RootRotationAttackTests.sign(listing, [attacker]).serialized()
        let error = try #require(throws: TUFError.self) { try Self.update(rotated, files: files, pin: .certificate(rotated.originalCertificate)) }
        #expect(error.code == .threshold, "\(error)")
        #expect(error.message.contains("root v2 is not signed by the keys of trusted root v1"), "\(error.message)")
    }

    @Test func aVersionFileThatLiesAboutItsVersionIsRefused() throws {
        let rotated = try Self.rotatedTwice()
        var files = rotated.files
        files["2.root.json"] = files["1.root.json"]
        let error = try #require(throws: TUFError.self) { try Self.update(rotated, files: files, pin: .certificate(rotated.originalCertificate)) }
        #expect(error.code == .rollback, "\(error)")
        #expect(error.message.contains("2.root.json has version 1, expected 2"), "\(error.message)")
    }

    @Test func aMissingVersionEndsTheSearchAndIsNamed() throws {
        let rotated = try Self.rotatedTwice()
        var files = rotated.files
        files["2.root.json"] = nil
        let error = try #require(throws: TUFError.self) { try Self.update(rotated, files: files, pin: .certificate(rotated.originalCertificate)) }
        #expect(error.code == .untrustedRoot, "\(error)")
        #expect(error.message.contains("versions tried: v3; 2.root.json not found"), "\(error.message)")
    }

    @Test func theChainIsReadWithinTheByteBudget() throws {
        let rotated = try Self.rotatedTwice()
        let budget = rotated.files["2.root.json"]!.count + rotated.files["1.root.json"]!.count / 2
        let error = try #require(throws: TUFError.self) {
            try Self.update(rotated, pin: .certificate(rotated.originalCertificate), maxRootChainBytes: budget)
        }
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.message.contains("bytes of root metadata"), "\(error.message)")
    }
}
