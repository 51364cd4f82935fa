import Foundation
@testable import SignetCrypto
import SignetTestSupport
import Testing

/// One key, one identity: `PublicKey.identity` is the canonical form of the key (named curve and
/// uncompressed point; RSA modulus and exponent; Ed25519's 32 bytes), and every other encoding of
/// the same key is refused when it is parsed, as Go's `crypto/x509` (and so Notary) refuses it.
@Suite("Key identity")
struct KeyIdentityTests {
    @Test func everyNonCanonicalECEncodingIsRefusedAtParseTime() throws {
        let key = try PrivateKey.generate(.ecdsa).publicKey
        let encodings = try ECKeyEncodings.of(publicKeyPEM: key.pem())
        #expect(Set(encodings.values).count == encodings.count, "openssl produced distinct bytes per encoding")
        #expect(try PublicKey(spkiDER: encodings["uncompressed"]!).identity == key.identity)
        for name in ["compressed", "hybrid", "explicit", "explicit+compressed"] {
            let error = try #require(throws: CryptoError.self, "\(name) must be refused") { try PublicKey(spkiDER: encodings[name]!) }
            #expect(error.code == .malformedKey, "\(name)")
            #expect(error.message.contains("canonical"), "\(name): \(error.message)")
        }
    }

    @Test func nonMinimalDERLengthIsRefused() throws {
        let key = try PrivateKey.generate(.ecdsa).publicKey
        // 30 59 … → 30 81 59 …: BER long-form length for the outer SEQUENCE, same key.
        var ber = key.spkiDER
        #expect(ber[0] == 0x30 && ber[1] == 0x59)
        ber.insert(0x81, at: 1)
        let error = try #require(throws: CryptoError.self) { try PublicKey(spkiDER: ber) }
        #expect(error.code == .malformedKey)
    }

    @Test func rsaWithoutNullParametersIsRefused() throws {
        let key = try PrivateKey.generate(.rsa, rsaBits: 2048).publicKey
        // AlgorithmIdentifier rsaEncryption with the NULL parameters dropped (Go refuses this too).
        let withNull: [UInt8] = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00]
        let spki = key.spkiDER
        let start = try #require((0..<spki.count - withNull.count).first { Array(spki[$0..<$0 + withNull.count]) == withNull })
        var body = Array(spki[4..<start]) + [0x30, 0x0b] + Array(withNull[2..<13]) + Array(spki[(start + withNull.count)...])
        #expect(spki[0] == 0x30 && spki[1] == 0x82)
        body = [0x30, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
        let error = try #require(throws: CryptoError.self) { try PublicKey(spkiDER: body) }
        #expect(error.code == .malformedKey)
    }

    @Test func certificateWithNonCanonicalKeyIsRefused() throws {
        let dir = try TestSupport.makeTempDir("signet-cert-encodings")
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = dir.appendingPathComponent("k.pem")
        guard try TestSupport.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.path]).status == 0 else {
            Issue.record("openssl (Debian package openssl) cannot generate a key"); return
        }
        for (name, flags) in [("compressed", ["-conv_form", "compressed"]), ("explicit", ["-param_enc", "explicit"])] {
            let variant = dir.appendingPathComponent("\(name).pem"), cert = dir.appendingPathComponent("\(name).crt")
            try TestSupport.run(["openssl", "ec", "-in", key.path, "-out", variant.path] + flags)
            let made = try TestSupport.run(["openssl", "req", "-x509", "-new", "-key", variant.path, "-subj", "/CN=example.com", "-days", "2", "-out", cert.path])
            #expect(made.status == 0, "\(made.stderr)")
            let error = try #require(throws: CryptoError.self, "\(name)") { try Certificate.parsePEMBundle(try TestSupport.read(cert)) }
            #expect(error.code == .certificate || error.code == .malformedKey, "\(name): \(error)")
            #expect("\(error)".contains("canonical"), "\(name): \(error)")
        }
    }

    @Test func identityIsTheSameForPlainAndCertificateKeysOfEachType() throws {
        for algorithm in [KeyAlgorithm.ecdsa, .rsa, .ed25519] {
            let privateKey = try PrivateKey.generate(algorithm, rsaBits: 2048)
            let plain = try PublicKey(spkiDER: privateKey.publicKey.spkiDER)
            let certificate = try Certificate.selfSigned(commonName: "example.com/app", key: privateKey,
                                                         notBefore: Date(), notAfter: Date().addingTimeInterval(3600))
            let reparsed = try Certificate(der: certificate.der)
            #expect(reparsed.publicKey.identity == plain.identity, "\(algorithm)")
            #expect(reparsed.publicKey == plain, "\(algorithm)")
            #expect(plain.identity != (try PrivateKey.generate(algorithm, rsaBits: 2048)).publicKey.identity, "\(algorithm)")
            if algorithm == .ed25519 {
                #expect(try PublicKey(ed25519Raw: plain.rawEd25519!).identity == plain.identity)
            }
        }
    }

    /// Keys parsed from bytes already in canonical form keep those bytes as `spkiDER` instead of
    /// re-encoding them (`PublicKey.init(owning:parsedFrom:)`); the `openssl` CLI, encoding the
    /// same keys itself, must give the same bytes for SPKI, certificate and raw Ed25519 input.
    @Test func spkiOfKeysParsedFromCanonicalBytesIsWhatOpenSSLWrites() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        func opensslSPKI(_ arguments: [String]) throws -> [UInt8] {
            let result = try TestSupport.run(["openssl"] + arguments + ["-pubout", "-outform", "DER", "-out", dir.appendingPathComponent("out.der").path])
            try #require(result.status == 0, "openssl \(arguments): \(result.stderr)")
            return try TestSupport.read(dir.appendingPathComponent("out.der"))
        }
        for algorithm in [KeyAlgorithm.ecdsa, .rsa, .ed25519] {
            let privateKey = try PrivateKey.generate(algorithm, rsaBits: 2048)
            let spkiFile = dir.appendingPathComponent("key.der")
            try TestSupport.write(privateKey.publicKey.spkiDER, to: spkiFile)
            let written = try opensslSPKI(["pkey", "-pubin", "-inform", "DER", "-in", spkiFile.path])
            #expect(try PublicKey(spkiDER: written).spkiDER == written, "\(algorithm) SPKI")
            let certificate = try Certificate.selfSigned(commonName: "example.com/app", key: privateKey,
                                                         notBefore: Date(), notAfter: Date().addingTimeInterval(3600))
            let certificateFile = dir.appendingPathComponent("cert.der")
            try TestSupport.write(certificate.der, to: certificateFile)
            let fromCertificate = try TestSupport.run(["openssl", "x509", "-inform", "DER", "-in", certificateFile.path, "-pubkey", "-noout"])
            try #require(fromCertificate.status == 0, "\(fromCertificate.stderr)")
            let certificateSPKI = try #require(try PEMBlock.parseAll(fromCertificate.stdout).first).der
            #expect(try Certificate(der: certificate.der).publicKey.spkiDER == certificateSPKI, "\(algorithm) certificate")
            #expect(certificateSPKI == written, "\(algorithm)")
            if algorithm == .ed25519 {
                #expect(try PublicKey(ed25519Raw: privateKey.publicKey.rawEd25519!).spkiDER == written, "raw Ed25519")
            }
        }
    }

    @Test func identityIsTheCanonicalSPKI() throws {
        // The identity is built from the key's numbers, not re-encoded by OpenSSL: for a canonical
        // input it is exactly the DER that was parsed.
        for algorithm in [KeyAlgorithm.ecdsa, .rsa, .ed25519] {
            let key = try PrivateKey.generate(algorithm, rsaBits: 2048).publicKey
            #expect(key.identity.canonicalSPKI == key.spkiDER, "\(algorithm)")
        }
    }
}
