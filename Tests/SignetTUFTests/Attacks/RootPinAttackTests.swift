import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Pin bypass: a root whose `*-x509` key is a PEM bundle with the attacker's certificate first and
/// the pinned certificate after it. When the pin looks at any certificate of the bundle but the
/// signature is checked with the first one, an attacker without the root key passes
/// `--root-cert`. A key's identity is its leaf certificate — the first, the only non-CA one, as
/// Notary's `trustpinning/certs.go` requires — and every rule (pin, CN, expiry, signature) uses it.
/// Mirrors the key/identity confusion behind GHSA-pwqf-9h7j-7mv8 (thresholds counted over key IDs
/// instead of keys) in python-tuf and go-tuf.
@Suite("Attack: root pin bypass")
struct RootPinAttackTests {
    static let gun = "example.com/pinned/app"

    /// The victim's root certificate, which the client pins.
    let victim: TestCollection
    let victimCertificate: Certificate

    init() throws {
        victim = try TestCollection(gun: Self.gun)
        victimCertificate = try #require(try Certificate.parsePEMBundle(Array(Base64.decode(victim.rootTUFKey.publicBase64)!)).first)
    }

    /// The attacker's collection for the same GUN, whose only root key is `bundle(attackerCertificate)`,
    /// signed with the attacker's key.
    func hostile(_ bundle: (Certificate) throws -> [Certificate]) throws -> TestCollection {
        var attacker = try TestCollection(gun: Self.gun)
        let attackerCertificate = try #require(try Certificate.parsePEMBundle(Array(Base64.decode(attacker.rootTUFKey.publicBase64)!)).first)
        let key = AttackKeyMaterial.bundleKey(try bundle(attackerCertificate))
        attacker.root.keys[attacker.rootTUFKey.id] = nil
        attacker.root.keys[key.id] = key
        attacker.root.roles[RoleName.root] = RoleKeys(keyIDs: [key.id], threshold: 1)
        attacker.rootTUFKey = key
        attacker.rootSigners = [(key, attacker.rootKey)]
        return attacker
    }

    @Test func attackerCertificateFirstDoesNotSatisfyACertificatePin() throws {
        let attacker = try hostile { [$0, victimCertificate] }
        let error = try #require(throws: TUFError.self) {
            try attacker.update(try attacker.files(), pin: .certificate(victimCertificate))
        }
        #expect(error.code == .untrustedRoot, "\(error)")
        #expect(error.role == RoleName.root)
    }

    @Test func attackerCertificateFirstDoesNotSatisfyAKeyOrKeyIDPin() throws {
        let attacker = try hostile { [$0, victimCertificate] }
        let files = try attacker.files()
        let pins: [RootPin] = [.publicKey(victimCertificate.publicKey), .keyID(victim.rootTUFKey.id),
                               .keyID(TUFKey(publicKey: victimCertificate.publicKey).id)]
        for pin in pins {
            let error = try #require(throws: TUFError.self, "\(pin)") { try attacker.update(files, pin: pin) }
            #expect(error.code == .untrustedRoot, "\(pin): \(error)")
        }
    }

    @Test func listingThePinnedCertificateBesideTheAttackersIsNotEnough() throws {
        // The pinned certificate is public: the attacker lists it as a second root key (threshold 1)
        // and signs with their own. The pin is met only by a signature of the pinned key.
        var attacker = try TestCollection(gun: Self.gun)
        attacker.root.keys[victim.rootTUFKey.id] = victim.rootTUFKey
        attacker.root.roles[RoleName.root] = RoleKeys(keyIDs: [attacker.rootTUFKey.id, victim.rootTUFKey.id], threshold: 1)
        let files = try attacker.files()
        for pin in [RootPin.certificate(victimCertificate), .publicKey(victimCertificate.publicKey), .keyID(victim.rootTUFKey.id)] {
            let error = try #require(throws: TUFError.self, "\(pin)") { try attacker.update(files, pin: pin) }
            #expect(error.code == .untrustedRoot, "\(pin): \(error)")
            #expect(error.message.contains("not signed by it"), "\(pin): \(error.message)")
        }
    }

    @Test func pinnedCertificateAsAnIntermediateDoesNotSatisfyThePin() throws {
        // Notary's shape: leaf first, then CA certificates. Here the pinned certificate is a CA, so
        // the bundle has Notary's shape, but the pin is about the leaf, which is the attacker's.
        let pinnedCA = try AttackKeyMaterial.caCertificate(commonName: Self.gun)
        let attacker = try hostile { [$0, pinnedCA] }
        let error = try #require(throws: TUFError.self) { try attacker.update(try attacker.files(), pin: .certificate(pinnedCA)) }
        #expect(error.code == .untrustedRoot, "\(error)")
    }

    @Test func bundleWithTwoLeavesIsNotARootKey() throws {
        // Notary ignores such a key ("too many leaf certificates"); so does Signet, whichever is first.
        let attacker = try hostile { [$0, victimCertificate] }
        let error = try #require(throws: TUFError.self) { try attacker.update(try attacker.files()) }
        #expect(error.code == .untrustedRoot, "\(error)")
        #expect(error.message.contains("leaf"), "\(error.message)")
    }

    @Test func caCertificateFirstIsNotARootKey() throws {
        // Leaf not first: Notary refuses ("leaf certificate not being first certificate").
        let ca = try AttackKeyMaterial.caCertificate(commonName: Self.gun)
        let attacker = try hostile { [ca, $0] }
        let error = try #require(throws: TUFError.self) { try attacker.update(try attacker.files()) }
        #expect(error.code == .untrustedRoot, "\(error)")
    }

    @Test func leafWithIntermediateIsAcceptedAndPinnedByItsLeaf() throws {
        // The shape Notary accepts keeps working: [leaf, CA]; the pin matches the leaf.
        let ca = try AttackKeyMaterial.caCertificate(commonName: "Example CA")
        let owner = try hostile { [$0, ca] }
        let leaf = try #require(try Certificate.parsePEMBundle(Array(Base64.decode(owner.rootTUFKey.publicBase64)!)).first)
        let verified = try owner.update(try owner.files(), pin: .certificate(leaf))
        #expect(verified.lookup("1.0")?.meta.length == 1234)
        #expect(try owner.rootTUFKey.canonicalID() == TUFKey(publicKey: leaf.publicKey).id)
        let error = try #require(throws: TUFError.self) { try owner.update(try owner.files(), pin: .certificate(ca)) }
        #expect(error.code == .untrustedRoot)
    }

    @Test func honestRootSatisfiesEveryPinForm() throws {
        let files = try victim.files()
        for pin in [RootPin.certificate(victimCertificate), .publicKey(victimCertificate.publicKey), .keyID(victim.rootTUFKey.id),
                    .keyID(try victim.rootTUFKey.canonicalID())] {
            #expect(try victim.update(files, pin: pin).lookup("1.0") != nil, "\(pin)")
        }
    }
}
