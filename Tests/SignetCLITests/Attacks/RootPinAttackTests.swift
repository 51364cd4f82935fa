import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Pin bypass through the README's CI command, `signet verify GUN:TAG --root-cert FILE`, offline:
/// the root key is a PEM bundle `[attacker certificate, pinned certificate]`, or the root lists the
/// pinned certificate beside the attacker's. Each must exit 1 with the reason and never print the
/// attacker's digest. (No published advisory; the same class as Notary's requirement that pinned
/// roots verify with the pinned certificates only, `trustpinning/certs.go`.)
@Suite("Attack: root pin bypass (signet verify)")
struct RootPinCLIAttackTests {
    /// The owner's root certificate, written where CI keeps it.
    let pinnedCertificate: Certificate
    let pinnedFile: URL

    init() throws {
        pinnedCertificate = try AttackMetadata.certificate(for: try PrivateKey.generate(.ecdsa))
        pinnedFile = try CLI.temporaryDirectory().appendingPathComponent("root.crt")
        try Data(pinnedCertificate.pem().utf8).write(to: pinnedFile)
    }

    func verify(_ dir: URL, pin: [String]) throws -> CLI.Result {
        try SignetBinary.run(["verify", "\(AttackMetadata.gun):1.0", "--metadata-dir", dir.path] + pin)
    }

    @Test func bundleWithThePinnedCertificateSecondIsRefused() throws {
        let attackerKey = try PrivateKey.generate(.ecdsa)
        let bundle = AttackMetadata.x509Key([try AttackMetadata.certificate(for: attackerKey), pinnedCertificate])
        let dir = try AttackMetadata.write(try AttackMetadata.files(rootKeys: [bundle], rootSigners: [(bundle, attackerKey)]))
        let result = try verify(dir, pin: ["--root-cert", pinnedFile.path])
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(!result.stdout.contains(Hex.encode(AttackMetadata.evil)))
        #expect(result.stderr.contains("more than one leaf certificate"), "\(result.stderr)")
    }

    @Test func bundleWithThePinnedCertificateSecondIsRefusedOnline() throws {
        // The same attack from a hostile server: the online path of the README's CI command.
        let attackerKey = try PrivateKey.generate(.ecdsa)
        let bundle = AttackMetadata.x509Key([try AttackMetadata.certificate(for: attackerKey), pinnedCertificate])
        let server = try HostileTrustServer(files: try AttackMetadata.files(rootKeys: [bundle], rootSigners: [(bundle, attackerKey)]))
        defer { server.stop() }
        let trustDir = try CLI.temporaryDirectory()
        let result = try SignetBinary.run(["verify", "\(AttackMetadata.gun):1.0", "-s", server.url, "-d", trustDir.path, "--root-cert", pinnedFile.path])
        #expect(result.status == 1, "stdout: \(result.stdout) stderr: \(result.stderr)")
        #expect(!result.stdout.contains(Hex.encode(AttackMetadata.evil)))
        #expect(result.stderr.contains("more than one leaf certificate"), "\(result.stderr)")
    }

    @Test func rootListingThePinnedCertificateBesideTheAttackersIsRefused() throws {
        let attackerKey = try PrivateKey.generate(.ecdsa)
        let attacker = try TUFKey(certificate: try AttackMetadata.certificate(for: attackerKey))
        let pinned = try TUFKey(certificate: pinnedCertificate)
        let dir = try AttackMetadata.write(try AttackMetadata.files(rootKeys: [attacker, pinned], rootSigners: [(attacker, attackerKey)]))
        for pin in [["--root-cert", pinnedFile.path], ["--root-key", pinnedFile.path], ["--root-keyid", pinned.id]] {
            let result = try verify(dir, pin: pin)
            #expect(result.status == 1, "\(pin): stdout: \(result.stdout) stderr: \(result.stderr)")
            #expect(!result.stdout.contains(Hex.encode(AttackMetadata.evil)))
            #expect(result.stderr.contains("is not signed by it"), "\(pin): \(result.stderr)")
        }
    }

    @Test func rootCertFileWithTwoLeavesIsBadInput() throws {
        let other = try AttackMetadata.certificate(for: try PrivateKey.generate(.ecdsa))
        let file = try CLI.temporaryDirectory().appendingPathComponent("bundle.crt")
        try Data((pinnedCertificate.pem() + other.pem()).utf8).write(to: file)
        let dir = try CLI.temporaryDirectory()
        let result = try verify(dir, pin: ["--root-cert", file.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("more than one leaf certificate"), "\(result.stderr)")
    }
}
