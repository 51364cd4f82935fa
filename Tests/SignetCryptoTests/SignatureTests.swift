import Foundation
@testable import SignetCrypto
import Testing

@Suite("Signatures")
struct SignatureTests {
    let message = Array(#"{"_type":"Targets","expires":"2030-01-01T00:00:00Z","version":2}"#.utf8)

    @Test(arguments: [KeyAlgorithm.ecdsa, .ed25519, .rsa])
    func roundTripAndTamper(_ algorithm: KeyAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        #expect(key.algorithm == algorithm)
        let signature = try key.sign(message)
        #expect(try key.publicKey.verify(signature: signature, message: message, method: key.defaultMethod))
        var tampered = signature
        tampered[tampered.count / 2] ^= 0x01
        #expect(try !key.publicKey.verify(signature: tampered, message: message, method: key.defaultMethod))
        #expect(try !key.publicKey.verify(signature: signature, message: message + [0x20], method: key.defaultMethod))
        #expect(try !key.publicKey.verify(signature: Array(signature.dropLast()), message: message, method: key.defaultMethod))
        #expect(try !key.publicKey.verify(signature: [], message: message, method: key.defaultMethod))
    }

    @Test func defaultMethodsAndSizes() throws {
        let ec = try PrivateKey.generate(.ecdsa)
        #expect(ec.defaultMethod == .ecdsa)
        #expect(try ec.sign(message).count == 64)
        #expect(ec.publicKey.bits == 256)
        #expect(ec.publicKey.spkiDER.count == 91)
        let ed = try PrivateKey.generate(.ed25519)
        #expect(ed.defaultMethod == .eddsa)
        #expect(try ed.sign(message).count == 64)
        #expect(ed.publicKey.rawEd25519?.count == 32)
        #expect(ec.publicKey.rawEd25519 == nil)
        let rsa = try PrivateKey.generate(.rsa, rsaBits: 2048)
        #expect(rsa.defaultMethod == .rsapss)
        #expect(try rsa.sign(message).count == 256)
        #expect(rsa.publicKey.bits == 2048)
    }

    @Test func ecdsaSignaturesAreRawAndDERIsRejected() throws {
        let key = try PrivateKey.generate(.ecdsa)
        for _ in 0..<20 {  // exercise short r/s values (left padding) too
            let raw = try key.sign(message)
            #expect(raw.count == 64)
            #expect(try key.publicKey.verify(signature: raw, message: message, method: .ecdsa))
            #expect(try !key.publicKey.verify(signature: TestECDSA.derFromRaw(raw), message: message, method: .ecdsa))
        }
    }

    @Test func wrongMethodThrows() throws {
        let ec = try PrivateKey.generate(.ecdsa)
        let ed = try PrivateKey.generate(.ed25519)
        let sig = try ec.sign(message)
        for method in [SignatureMethod.eddsa, .rsapss, .rsapkcs1v15, .pycryptoPKCS1PSS] {
            let error = #expect(throws: CryptoError.self) { try ec.publicKey.verify(signature: sig, message: message, method: method) }
            #expect(error?.code == .unsupportedMethod, "\(method): \(String(describing: error))")
        }
        #expect { try ed.publicKey.verify(signature: sig, message: message, method: .ecdsa) } throws: {
            ($0 as? CryptoError)?.code == .unsupportedMethod
        }
        #expect { try ec.sign(message, method: .eddsa) } throws: { ($0 as? CryptoError)?.code == .unsupportedMethod }
        let rsa = try PrivateKey.generate(.rsa, rsaBits: 2048)
        #expect { try rsa.sign(message, method: .rsapkcs1v15) } throws: { ($0 as? CryptoError)?.code == .unsupportedMethod }
    }

    /// One key shared by several threads (the pooled ECDSA contexts must never be shared).
    @Test(arguments: [KeyAlgorithm.ecdsa, .ed25519])
    func concurrentSignAndVerifyOnOneKey(_ algorithm: KeyAlgorithm) async throws {
        let key = try PrivateKey.generate(algorithm)
        let message = self.message
        let failures = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var failed = 0
                    for i in 0..<300 {
                        let msg = message + [UInt8(worker), UInt8(i & 0xff)]
                        guard let sig = try? key.sign(msg),
                              (try? key.publicKey.verify(signature: sig, message: msg, method: key.defaultMethod)) == true,
                              (try? key.publicKey.verify(signature: sig, message: msg + [0], method: key.defaultMethod)) == false
                        else { failed += 1; continue }
                    }
                    return failed
                }
            }
            var total = 0
            for await failed in group { total += failed }
            return total
        }
        #expect(failures == 0)
    }

    @Test func methodNamesParseCaseInsensitively() {
        #expect(SignatureMethod(notaryName: "ECDSA") == .ecdsa)
        #expect(SignatureMethod(notaryName: "EdDSA") == .eddsa)
        #expect(SignatureMethod(notaryName: "RSAPSS") == .rsapss)
        #expect(SignatureMethod(notaryName: "rsapkcs1v15") == .rsapkcs1v15)
        #expect(SignatureMethod(notaryName: "PyCrypto-PKCS#1 PSS") == .pycryptoPKCS1PSS)
        #expect(SignatureMethod(notaryName: "ed25519") == nil)
    }

    // MARK: openssl CLI cross-checks, both directions

    @Test(arguments: [KeyAlgorithm.ecdsa, .ed25519, .rsa])
    func ourSignatureVerifiesWithOpenSSL(_ algorithm: KeyAlgorithm) throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = try PrivateKey.generate(algorithm, rsaBits: 2048)
        let signature = try key.sign(message)
        try TestSupport.write(key.publicKey.pem(), to: dir.appendingPathComponent("pub.pem"))
        try TestSupport.write(message, to: dir.appendingPathComponent("msg"))
        let sigBytes = algorithm == .ecdsa ? TestECDSA.derFromRaw(signature) : signature
        try TestSupport.write(sigBytes, to: dir.appendingPathComponent("sig"))
        let result: TestSupport.ProcessResult
        switch algorithm {
        case .ecdsa:
            result = try TestSupport.run(["openssl", "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "msg"], cwd: dir)
        case .ed25519:
            result = try TestSupport.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile", "sig"], cwd: dir)
        case .rsa:
            result = try TestSupport.run(["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                                          "-sigopt", "rsa_mgf1_md:sha256", "-verify", "pub.pem", "-signature", "sig", "msg"], cwd: dir)
        }
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("Verified") || result.stdout.contains("Success"), "\(result.stdout)")
    }

    @Test(arguments: [KeyAlgorithm.ecdsa, .ed25519, .rsa])
    func openSSLSignatureVerifiesWithUs(_ algorithm: KeyAlgorithm) throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let genArgs: [String]
        switch algorithm {
        case .ecdsa: genArgs = ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
        case .ed25519: genArgs = ["-algorithm", "ED25519"]
        case .rsa: genArgs = ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
        }
        try #require(TestSupport.run(["openssl", "genpkey"] + genArgs + ["-out", "key.pem"], cwd: dir).status == 0)
        try #require(TestSupport.run(["openssl", "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], cwd: dir).status == 0)
        try TestSupport.write(message, to: dir.appendingPathComponent("msg"))
        let signArgs: [String]
        switch algorithm {
        case .ecdsa: signArgs = ["openssl", "dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "msg"]
        case .ed25519: signArgs = ["openssl", "pkeyutl", "-sign", "-inkey", "key.pem", "-rawin", "-in", "msg", "-out", "sig"]
        case .rsa: signArgs = ["openssl", "dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32",
                               "-sign", "key.pem", "-out", "sig", "msg"]
        }
        let signed = try TestSupport.run(signArgs, cwd: dir)
        try #require(signed.status == 0, "\(signed.stderr)")
        var signature = try TestSupport.read(dir.appendingPathComponent("sig"))
        if algorithm == .ecdsa { signature = TestECDSA.rawFromDER(signature) }

        let pub = try PublicKey(pem: String(decoding: try TestSupport.read(dir.appendingPathComponent("pub.pem")), as: UTF8.self))
        #expect(pub.algorithm == algorithm)
        let method: SignatureMethod = algorithm == .ecdsa ? .ecdsa : algorithm == .ed25519 ? .eddsa : .rsapss
        #expect(try pub.verify(signature: signature, message: message, method: method))
        #expect(try !pub.verify(signature: signature, message: message + [1], method: method))

        // The openssl-written PKCS#8 private key loads and matches.
        let pem = String(decoding: try TestSupport.read(dir.appendingPathComponent("key.pem")), as: UTF8.self)
        let block = try #require(try PEMBlock.parseAll(pem).first)
        let privateKey = try PrivateKey(pemBlock: block, passphrase: nil)
        #expect(privateKey.publicKey == pub)
    }

    @Test func rsaPKCS1v15VerifiesOpenSSLSignature() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try #require(TestSupport.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "key.pem"], cwd: dir).status == 0)
        try #require(TestSupport.run(["openssl", "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem"], cwd: dir).status == 0)
        try TestSupport.write(message, to: dir.appendingPathComponent("msg"))
        try #require(TestSupport.run(["openssl", "dgst", "-sha256", "-sign", "key.pem", "-out", "sig", "msg"], cwd: dir).status == 0)
        let pub = try PublicKey(pem: String(decoding: try TestSupport.read(dir.appendingPathComponent("pub.pem")), as: UTF8.self))
        let signature = try TestSupport.read(dir.appendingPathComponent("sig"))
        #expect(try pub.verify(signature: signature, message: message, method: .rsapkcs1v15))
        #expect(try !pub.verify(signature: signature, message: message, method: .rsapss))
    }
}
