import Foundation
import SignetCrypto
import SignetTUF
import SignetTestSupport
import Testing

/// Key-identity confusion: one key listed several times under different key IDs — as other
/// encodings of the same EC point (compressed, hybrid, explicit curve parameters), or once plain
/// and once inside a certificate — must count once toward a threshold. Mirrors
/// GHSA-pwqf-9h7j-7mv8 (python-tuf / go-tuf: a threshold met by one key listed under several key
/// IDs).
@Suite("Attack: key-identity confusion")
struct KeyIdentityAttackTests {
    /// A collection whose targets role lists `keys` with `threshold`, every listed key signing
    /// targets with `privateKey`.
    func collection(keys: [TUFKey], privateKey: PrivateKey, threshold: Int64) throws -> (TestCollection, [String: [UInt8]]) {
        var collection = try TestCollection()
        for key in keys { collection.root.keys[key.id] = key }
        collection.root.roles[RoleName.targets] = RoleKeys(keyIDs: keys.map(\.id), threshold: threshold)
        let files = try collection.files(editTargets: { file in
            file = try MetadataSigner.sign(file.signed, with: keys.map { ($0, privateKey) })
        })
        return (collection, files)
    }

    @Test func oneECKeyInEveryEncodingMeetsNoThresholdAboveOne() throws {
        let privateKey = try PrivateKey.generate(.ecdsa)
        let encodings = try ECKeyEncodings.of(publicKeyPEM: privateKey.publicKey.pem())
        let keys = encodings.keys.sorted().map { TUFKey(keyType: "ecdsa", publicBase64: Data(encodings[$0]!).base64EncodedString()) }
        #expect(Set(keys.map(\.id)).count == 5, "five key IDs for one key")
        for threshold in Int64(2)...5 {
            let (collection, files) = try collection(keys: keys, privateKey: privateKey, threshold: threshold)
            let error = try #require(throws: TUFError.self, "threshold \(threshold)") { try collection.update(files) }
            #expect(error.code == .threshold, "\(error)")
            #expect(error.message.contains("1 distinct valid key(s), threshold \(threshold)"), "\(error.message)")
        }
        // The canonical encoding alone still verifies at threshold 1.
        let (collection, files) = try collection(keys: keys, privateKey: privateKey, threshold: 1)
        #expect(try collection.update(files).lookup("1.0") != nil)
    }

    @Test func nonCanonicalEncodingIsRefusedAsAKey() throws {
        let privateKey = try PrivateKey.generate(.ecdsa)
        let encodings = try ECKeyEncodings.of(publicKeyPEM: privateKey.publicKey.pem())
        for name in ["compressed", "hybrid", "explicit", "explicit+compressed"] {
            let key = TUFKey(keyType: "ecdsa", publicBase64: Data(encodings[name]!).base64EncodedString())
            let error = try #require(throws: TUFError.self, "\(name)") { try key.publicKey() }
            #expect(error.code == .badKey, "\(name)")
            #expect(error.message.contains("canonical"), "\(name): \(error.message)")
        }
    }

    @Test func plainAndCertificateFormsOfEachKeyTypeCountOnce() throws {
        for algorithm in [KeyAlgorithm.ecdsa, .rsa] {
            let privateKey = try PrivateKey.generate(algorithm, rsaBits: 2048)
            let certificate = try Certificate.selfSigned(commonName: "targets", key: privateKey, notBefore: Date().addingTimeInterval(-60),
                                                         notAfter: Date().addingTimeInterval(3600))
            let ca = try AttackKeyMaterial.caCertificate(commonName: "Example CA")
            let keys = [TUFKey(publicKey: privateKey.publicKey), try TUFKey(certificate: certificate),
                        AttackKeyMaterial.bundleKey([certificate, ca])]
            #expect(Set(keys.map(\.id)).count == 3)
            let (collection, files) = try collection(keys: keys, privateKey: privateKey, threshold: 2)
            let error = try #require(throws: TUFError.self, "\(algorithm)") { try collection.update(files) }
            #expect(error.code == .threshold, "\(algorithm): \(error)")
            #expect(error.message.contains("1 distinct valid key(s), threshold 2"), "\(algorithm): \(error.message)")
        }
    }

    @Test func ed25519UnderOtherKeyTypesCountsOnce() throws {
        let privateKey = try PrivateKey.generate(.ed25519)
        let certificate = try Certificate.selfSigned(commonName: "targets", key: privateKey, notBefore: Date().addingTimeInterval(-60),
                                                     notAfter: Date().addingTimeInterval(3600))
        let keys = [TUFKey(publicKey: privateKey.publicKey),
                    TUFKey(keyType: "ecdsa", publicBase64: Data(privateKey.publicKey.spkiDER).base64EncodedString()),
                    AttackKeyMaterial.bundleKey([certificate])]
        #expect(Set(keys.map(\.id)).count == 3)
        let (collection, files) = try collection(keys: keys, privateKey: privateKey, threshold: 2)
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .threshold, "\(error)")
        #expect(error.message.contains("1 distinct valid key(s), threshold 2"), "\(error.message)")
    }

    @Test func keyTypeMustMatchTheCertificateKey() throws {
        // An RSA certificate declared `ecdsa-x509` is refused, as a plain key of the wrong type is.
        let privateKey = try PrivateKey.generate(.rsa, rsaBits: 2048)
        let certificate = try Certificate.selfSigned(commonName: "targets", key: privateKey, notBefore: Date(), notAfter: Date().addingTimeInterval(3600))
        let mislabelled = TUFKey(keyType: "ecdsa-x509", publicBase64: Data(certificate.pem().utf8).base64EncodedString())
        let error = try #require(throws: TUFError.self) { try mislabelled.publicKey() }
        #expect(error.code == .badKey)
        #expect(error.message.contains("declared ecdsa-x509"), "\(error.message)")
    }
}
