import Foundation
import SignetCrypto
import SignetTUF
import SignetTestSupport
import Testing

/// Key-identity confusion through `signet verify`, offline: a targets threshold of 3 met by one
/// P-256 key listed in three encodings (uncompressed, compressed, explicit parameters). Must exit 1
/// and never print the attacker's digest. Mirrors GHSA-pwqf-9h7j-7mv8 (a threshold met by one key
/// listed under several key IDs).
@Suite("Attack: key-identity confusion (signet verify)")
struct KeyIdentityCLIAttackTests {
    func verify(_ dir: URL, pin: [String]) throws -> CLI.Result {
        try SignetBinary.run(["verify", "\(AttackMetadata.gun):1.0", "--metadata-dir", dir.path] + pin)
    }

    @Test func oneTargetsKeyInThreeEncodingsDoesNotMeetThresholdThree() throws {
        let rootKey = try PrivateKey.generate(.ecdsa)
        let root = try TUFKey(certificate: try AttackMetadata.certificate(for: rootKey))
        let targetsKey = try PrivateKey.generate(.ecdsa)
        let scratch = try CLI.temporaryDirectory()
        let openssl = try ECKeyEncodings.of(publicKeyPEM: targetsKey.publicKey.pem())
        let encodings = [targetsKey.publicKey.spkiDER, openssl["compressed"]!, openssl["explicit"]!]
        let keys = encodings.map { TUFKey(keyType: "ecdsa", publicBase64: Data($0).base64EncodedString()) }
        let dir = try AttackMetadata.write(try AttackMetadata.files(rootKeys: [root], rootSigners: [(root, rootKey)], targetsKeys: keys, targetsSigner: targetsKey, threshold: 3))
        let rootFile = scratch.appendingPathComponent("root.crt")
        try Data(try root.leafCertificate().pem().utf8).write(to: rootFile)
        let result = try verify(dir, pin: ["--root-cert", rootFile.path])
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(!result.stdout.contains(Hex.encode(AttackMetadata.evil)))
        #expect(result.stderr.contains("1 distinct valid key(s), threshold 3"), "\(result.stderr)")
    }

}
