import Foundation
@testable import SignetCrypto
import SignetTestSupport
import Testing

@Suite("Keys")
struct KeysTests {
    let message = Array("signed bytes".utf8)

    /// Notary's key ID: sha256 of the canonical JSON of the TUF key with `"private":null`.
    static func notaryKeyID(keytype: String, publicValue: [UInt8]) -> String {
        let json = #"{"keytype":"\#(keytype)","keyval":{"private":null,"public":"\#(Data(publicValue).base64EncodedString())"}}"#
        return Hex.encode(Digest.sha256(Array(json.utf8)))
    }

    static func files(under dir: URL, suffix: String) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.lastPathComponent.hasSuffix(suffix) }.sorted { $0.path < $1.path }
    }

    @Test func notary07FixtureKeysDecryptAndMatchTheirIDs() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("notary-0.7/trustdir/publisher-final/private")
        let files = Self.files(under: dir, suffix: ".key")
        try #require(files.count >= 6)
        for file in files {
            let blocks = try PEMBlock.parseAll(String(decoding: try TestSupport.read(file), as: UTF8.self))
            let block = try #require(blocks.first)
            #expect(block.type == "ENCRYPTED PRIVATE KEY")
            let role = try #require(block.header("role"))
            let passphrase: String
            switch role {
            case "root": passphrase = "fixture-root-passphrase"
            case "targets": passphrase = "fixture-targets-passphrase"
            case "snapshot": passphrase = "fixture-snapshot-passphrase"
            default: passphrase = "fixture-delegation-passphrase"
            }
            #expect { try PrivateKey(pemBlock: block, passphrase: nil) } throws: { ($0 as? CryptoError)?.code == .passphraseRequired }
            #expect { try PrivateKey(pemBlock: block, passphrase: "not-it") } throws: { ($0 as? CryptoError)?.code == .wrongPassphrase }
            let key = try PrivateKey(pemBlock: block, passphrase: passphrase)
            #expect(key.algorithm == .ecdsa)
            let id = file.deletingPathExtension().lastPathComponent
            #expect(Self.notaryKeyID(keytype: "ecdsa", publicValue: key.publicKey.spkiDER) == id, "\(file.lastPathComponent)")
            #expect(try key.publicKey.verify(signature: try key.sign(message), message: message, method: .ecdsa))
            // Re-encoding keeps the header order Go writes: gun before role.
            #expect(block.encoded() == String(decoding: try TestSupport.read(file), as: UTF8.self))
        }
    }

    @Test func notary01LegacyEncryptedKeysDecrypt() throws {
        let dir = TestSupport.fixtures.appendingPathComponent("notary-0.1-samplerepo/private")
        let files = Self.files(under: dir, suffix: ".key")
        try #require(files.count == 3)
        for file in files {
            let block = try #require(try PEMBlock.parseAll(String(decoding: try TestSupport.read(file), as: UTF8.self)).first)
            #expect(block.type == "EC PRIVATE KEY")
            #expect(block.header("Proc-Type") == "4,ENCRYPTED")
            #expect { try PrivateKey(pemBlock: block, passphrase: nil) } throws: { ($0 as? CryptoError)?.code == .passphraseRequired }
            #expect { try PrivateKey(pemBlock: block, passphrase: "wrong") } throws: { ($0 as? CryptoError)?.code == .wrongPassphrase }
            let key = try PrivateKey(pemBlock: block, passphrase: "randompass")
            #expect(key.algorithm == .ecdsa)
            // 0.1 file names are <keyID>_<role>.key
            let id = String(file.deletingPathExtension().lastPathComponent.split(separator: "_")[0])
            #expect(Self.notaryKeyID(keytype: "ecdsa", publicValue: key.publicKey.spkiDER) == id, "\(file.lastPathComponent)")
        }
    }

    @Test(arguments: [KeyAlgorithm.ecdsa, .ed25519, .rsa])
    func pkcs8RoundTrips(_ algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        let plain = try PrivateKey(derPKCS8: try key.pkcs8DER())
        #expect(plain.publicKey == key.publicKey)
        let standard = try PrivateKey(derPKCS8: try key.pkcs8DER(encoding: .rfc8410))
        #expect(standard.publicKey == key.publicKey)
        // Cheap KDF settings keep the test fast; the default is exercised below.
        for kdf in [KeyDerivation.pbkdf2SHA1(iterations: 1000), .pbkdf2SHA256(iterations: 1000), .scrypt(n: 1024, r: 8, p: 1)] {
            let encrypted = try key.encryptedPKCS8DER(passphrase: "correct horse", kdf: kdf)
            let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: [("role", "targets")], der: encrypted)
            let decrypted = try PrivateKey(pemBlock: block, passphrase: "correct horse")
            #expect(decrypted.publicKey == key.publicKey)
            #expect(try decrypted.publicKey.verify(signature: try decrypted.sign(message), message: message, method: key.defaultMethod))
            #expect { try PrivateKey(pemBlock: block, passphrase: "wrong horse") } throws: { ($0 as? CryptoError)?.code == .wrongPassphrase }
            #expect { try PrivateKey(pemBlock: block, passphrase: nil) } throws: { ($0 as? CryptoError)?.code == .passphraseRequired }
        }
    }

    @Test func notaryEd25519Layout() throws {
        let key = try PrivateKey.generate(.ed25519)
        let der = try key.pkcs8DER()
        #expect(der.count == 116)
        #expect(Array(der[0..<18]) == [0x30, 0x72, 0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x0f, 0x01])
        let pub = try #require(key.publicKey.rawEd25519)
        #expect(Array(der[20..<52]) == pub)
        #expect(Array(der[84..<116]) == pub)
        // Legacy "ED25519 PRIVATE KEY": the same 96 bytes, raw.
        let legacy = PEMBlock(type: "ED25519 PRIVATE KEY", der: Array(der[20...]))
        #expect(try PrivateKey(pemBlock: legacy, passphrase: nil).publicKey == key.publicKey)
        // A mismatched public half is rejected.
        var broken = der
        broken[20] ^= 1
        let mismatched = #expect(throws: CryptoError.self) { try PrivateKey(derPKCS8: broken) }
        #expect(mismatched?.code == .malformedKey, "\(String(describing: mismatched))")
        let fromRaw = try PublicKey(ed25519Raw: pub)
        #expect(fromRaw == key.publicKey)
    }

    @Test func legacyFormatsFromOpenSSL() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(TestSupport.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.pem"], cwd: dir).status == 0)
        try #require(TestSupport.run(["openssl", "ec", "-in", "ec.pem", "-aes256", "-passout", "pass:legacy", "-out", "ec-enc.pem"], cwd: dir).status == 0)
        try #require(TestSupport.run(["openssl", "genrsa", "-traditional", "-out", "rsa.pem", "2048"], cwd: dir).status == 0)
        try #require(TestSupport.run(["openssl", "rsa", "-in", "rsa.pem", "-traditional", "-aes256", "-passout", "pass:legacy", "-out", "rsa-enc.pem"], cwd: dir).status == 0)
        for (file, type, encrypted) in [("ec.pem", "EC PRIVATE KEY", false), ("ec-enc.pem", "EC PRIVATE KEY", true),
                                        ("rsa.pem", "RSA PRIVATE KEY", false), ("rsa-enc.pem", "RSA PRIVATE KEY", true)] {
            let block = try #require(try PEMBlock.parseAll(String(decoding: try TestSupport.read(dir.appendingPathComponent(file)), as: UTF8.self)).first)
            #expect(block.type == type)
            let key = try PrivateKey(pemBlock: block, passphrase: encrypted ? "legacy" : nil)
            #expect(try key.publicKey.verify(signature: try key.sign(message), message: message, method: key.defaultMethod))
            if encrypted {
                #expect { try PrivateKey(pemBlock: block, passphrase: "nope") } throws: { ($0 as? CryptoError)?.code == .wrongPassphrase }
            }
        }
    }

    @Test func smallRSAAndJunkAreRejected() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(TestSupport.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "k.pem"], cwd: dir).status == 0)
        let block = try #require(try PEMBlock.parseAll(String(decoding: try TestSupport.read(dir.appendingPathComponent("k.pem")), as: UTF8.self)).first)
        #expect { try PrivateKey(pemBlock: block, passphrase: nil) } throws: { ($0 as? CryptoError)?.code == .unsupportedKey }
        #expect { try PrivateKey.generate(.rsa, rsaBits: 1024) } throws: { ($0 as? CryptoError)?.code == .unsupportedKey }
        #expect { try PrivateKey(derPKCS8: [0x30, 0x03, 0x02, 0x01, 0x00]) } throws: { ($0 as? CryptoError)?.code == .malformedKey }
        #expect { try PrivateKey(pemBlock: PEMBlock(type: "CERTIFICATE", der: [1]), passphrase: nil) } throws: { ($0 as? CryptoError)?.code == .malformedKey }
        #expect { try PublicKey(spkiDER: [1, 2, 3]) } throws: { ($0 as? CryptoError)?.code == .malformedKey }
        #expect { try PublicKey(ed25519Raw: [UInt8](repeating: 1, count: 31)) } throws: { ($0 as? CryptoError)?.code == .malformedKey }
        let notPEM = #expect(throws: CryptoError.self) { try PublicKey(pem: "nothing") }
        #expect(notPEM?.code == .malformedKey, "\(String(describing: notPEM))")
    }

    @Test func opensslReadsOurEncryptedPKCS8() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try PrivateKey.generate(.ecdsa)
        for (name, kdf) in [("default", KeyDerivation.default), ("sha256", .pbkdf2SHA256(iterations: 600_000)), ("scrypt", .scrypt(n: 16384, r: 8, p: 1))] {
            let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: [("role", "root")], der: try key.encryptedPKCS8DER(passphrase: "s3cret", kdf: kdf))
            let file = dir.appendingPathComponent("\(name).pem")
            try TestSupport.write(PEMBlock(type: block.type, der: block.der).encoded(), to: file)
            let result = try TestSupport.run(["openssl", "pkey", "-in", file.path, "-passin", "pass:s3cret", "-pubout"])
            #expect(result.status == 0, "\(name): \(result.stderr)")
            #expect(try PublicKey(pem: result.stdout) == key.publicKey, "\(name)")
            let wrong = try TestSupport.run(["openssl", "pkey", "-in", file.path, "-passin", "pass:other", "-pubout"])
            #expect(wrong.status == 1, "\(name): \(wrong.stderr)")
            #expect(wrong.stderr.contains("Could not read key from \(file.path)"), "\(name): \(wrong.stderr)")
        }
        // The default is PBKDF2 with the implicit HMAC-SHA1 prf and ≥ 600,000 iterations.
        let file = dir.appendingPathComponent("default.pem")
        let parsed = try TestSupport.run(["openssl", "asn1parse", "-in", file.path])
        #expect(parsed.stdout.contains("PBKDF2"))
        #expect(!parsed.stdout.contains("hmacWithSHA"))
        #expect(parsed.stdout.contains("aes-256-cbc"))
        guard case .pbkdf2SHA1(let iterations) = KeyDerivation.default else { Issue.record("default is not PBKDF2-SHA1"); return }
        #expect(iterations >= 600_000)
        #expect(parsed.stdout.contains(":" + String(iterations, radix: 16, uppercase: true)))
    }

    /// The real notary 0.7 client decrypts a key we wrote with `KeyDerivation.default`
    /// (`key passwd` needs the old passphrase to decrypt, then re-encrypts).
    @Test func notaryClientReadsOurDefaultEncryption() throws {
        guard RequiredTool.isInstalled("/usr/bin/notary") else { return }
        let dir = try TestSupport.makeTempDir("signet-notary")
        defer { try? FileManager.default.removeItem(at: dir) }
        let privateDir = dir.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: privateDir, withIntermediateDirectories: true)
        let key = try PrivateKey.generate(.ecdsa)
        let id = Self.notaryKeyID(keytype: "ecdsa", publicValue: key.publicKey.spkiDER)
        let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: [("role", "root")],
                             der: try key.encryptedPKCS8DER(passphrase: "signet-root-pass"))
        let file = privateDir.appendingPathComponent("\(id).key")
        try TestSupport.write(block.encoded(), to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)

        let env = ["NOTARY_ROOT_PASSPHRASE": "signet-root-pass"]
        let list = try TestSupport.run(["notary", "-d", dir.path, "key", "list"], environment: env)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(id), "\(list.stdout)")

        let passwd = try TestSupport.run(["notary", "-d", dir.path, "key", "passwd", id], environment: env)
        #expect(passwd.status == 0, "notary could not decrypt: \(passwd.stdout) \(passwd.stderr)")
        // notary rewrote the file (its own 2048-iteration PBKDF2); we read that back too.
        let rewritten = try #require(try PEMBlock.parseAll(String(decoding: try TestSupport.read(file), as: UTF8.self)).first)
        #expect(rewritten.der != block.der)
        #expect(try PrivateKey(pemBlock: rewritten, passphrase: "signet-root-pass").publicKey == key.publicKey)

        // Counter-check: a hmacWithSHA256 file is NOT readable by notary (it always derives with SHA-1).
        let sha256Block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: [("role", "root")],
                                   der: try key.encryptedPKCS8DER(passphrase: "signet-root-pass", kdf: .pbkdf2SHA256(iterations: 600_000)))
        try TestSupport.write(sha256Block.encoded(), to: file)
        let refused = try TestSupport.run(["notary", "-d", dir.path, "key", "passwd", id], environment: env)
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect((refused.stdout + refused.stderr).contains("could not retrieve local key for key ID provided: \(id)"), "\(refused.stdout) \(refused.stderr)")
    }

    @Test func notaryClientReadsOurEd25519() throws {
        guard RequiredTool.isInstalled("/usr/bin/notary") else { return }
        let dir = try TestSupport.makeTempDir("signet-notary")
        defer { try? FileManager.default.removeItem(at: dir) }
        let privateDir = dir.appendingPathComponent("private")
        try FileManager.default.createDirectory(at: privateDir, withIntermediateDirectories: true)
        let key = try PrivateKey.generate(.ed25519)
        let id = Self.notaryKeyID(keytype: "ed25519", publicValue: try #require(key.publicKey.rawEd25519))
        let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: [("role", "targets/releases")],
                             der: try key.encryptedPKCS8DER(passphrase: "deleg-pass", kdf: .pbkdf2SHA1(iterations: 2048)))
        let file = privateDir.appendingPathComponent("\(id).key")
        try TestSupport.write(block.encoded(), to: file)
        let env = ["NOTARY_DELEGATION_PASSPHRASE": "deleg-pass"]
        let passwd = try TestSupport.run(["notary", "-d", dir.path, "key", "passwd", id], environment: env)
        #expect(passwd.status == 0, "\(passwd.stdout) \(passwd.stderr)")
    }
}
