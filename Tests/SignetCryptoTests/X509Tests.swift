import Foundation
@testable import SignetCrypto
import Testing

@Suite("X509")
struct X509Tests {
    static func iso(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func dockerHubAlpineRootCertificate() throws {
        let data = try Data(contentsOf: TestSupport.fixtures.appendingPathComponent("dockerhub-alpine/root.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let signed = try #require(root["signed"] as? [String: Any])
        let keys = try #require(signed["keys"] as? [String: [String: Any]])
        let x509Keys = keys.filter { ($0.value["keytype"] as? String) == "ecdsa-x509" }
        try #require(x509Keys.count == 1)
        for (keyID, key) in x509Keys {
            let keyval = try #require(key["keyval"] as? [String: Any])
            let publicB64 = try #require(keyval["public"] as? String)
            let pem = try #require(Data(base64Encoded: publicB64))
            #expect(String(decoding: pem, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
            let certs = try Certificate.parsePEMBundle([UInt8](pem))
            #expect(certs.count == 1)
            let cert = certs[0]
            #expect(cert.commonName == "docker.io/library/alpine")
            #expect(cert.subjectDescription == "CN=docker.io/library/alpine")
            #expect(cert.publicKey.algorithm == .ecdsa)
            #expect(!cert.isCA)
            #expect(!cert.usesSHA1Signature)
            #expect(cert.notBefore < Self.iso("2015-08-12T00:00:00Z") && cert.notBefore > Self.iso("2015-08-10T00:00:00Z"))
            #expect(cert.notAfter < Self.iso("2025-08-09T00:00:00Z") && cert.notAfter > Self.iso("2025-08-07T00:00:00Z"))
            // Notary key ID of the x509 key = sha256 of its TUF JSON with the PEM's base64.
            let json = #"{"keytype":"ecdsa-x509","keyval":{"private":null,"public":"\#(publicB64)"}}"#
            #expect(Hex.encode(Digest.sha256(Array(json.utf8))) == keyID)
            #expect(cert.pem() == String(decoding: pem, as: UTF8.self))
            // Self-signed leaf trusted as its own root: valid in 2018, expired now.
            try cert.verifyChain(roots: [cert], at: Self.iso("2018-07-25T00:00:00Z"))
            #expect { try cert.verifyChain(roots: [cert], at: Self.iso("2026-01-01T00:00:00Z")) } throws: {
                ($0 as? CryptoError)?.code == .certificate && "\($0)".contains("expired")
            }
        }
    }

    @Test func selfSignedLikeNotary() throws {
        let key = try PrivateKey.generate(.ecdsa)
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))  // X.509 times are whole seconds
        let cert = try Certificate.selfSigned(commonName: "example.com/library/app", key: key,
                                              notBefore: now, notAfter: now.addingTimeInterval(10 * 365 * 86400))
        #expect(cert.commonName == "example.com/library/app")
        #expect(cert.publicKey == key.publicKey)
        #expect(!cert.isCA)
        #expect(!cert.usesSHA1Signature)
        #expect(cert.notBefore == now)
        #expect(cert.notAfter == now.addingTimeInterval(10 * 365 * 86400))
        try cert.verifyChain(roots: [cert], at: now.addingTimeInterval(60))
        let expired = #expect(throws: CryptoError.self) { try cert.verifyChain(roots: [cert], at: now.addingTimeInterval(11 * 365 * 86400)) }
        #expect(expired?.code == .certificate)
        #expect(expired?.description.contains("expired") == true, "\(String(describing: expired))")
        let other = try Certificate.selfSigned(commonName: "other", key: try PrivateKey.generate(.ecdsa), notBefore: now, notAfter: now + 3600)
        let unknownRoot = #expect(throws: CryptoError.self) { try cert.verifyChain(roots: [other], at: now + 60) }
        #expect(unknownRoot?.code == .certificate)
        #expect(unknownRoot?.description.contains("does not verify: self-signed certificate") == true, "\(String(describing: unknownRoot))")
        #expect(try Certificate(der: cert.der) == cert)
        #expect(try Certificate.parsePEMBundle(Array(cert.pem().utf8)) == [cert])

        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("cert.pem")
        try TestSupport.write(cert.pem(), to: file)
        let text = try TestSupport.run(["openssl", "x509", "-in", file.path, "-noout", "-text"])
        #expect(text.status == 0, "\(text.stderr)")
        let out = text.stdout
        #expect(out.contains("Version: 3 (0x2)"))
        #expect(out.contains("Subject: CN = example.com/library/app"))
        #expect(out.contains("Issuer: CN = example.com/library/app"))
        #expect(out.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(out.contains("X509v3 Key Usage: critical"))
        #expect(out.contains("Digital Signature, Key Encipherment"))
        #expect(out.contains("X509v3 Extended Key Usage: \n                Code Signing") || out.contains("Code Signing"))
        #expect(out.contains("X509v3 Basic Constraints: critical"))
        #expect(out.contains("CA:FALSE"))
        // openssl agrees the self-signature is valid
        let verify = try TestSupport.run(["openssl", "verify", "-partial_chain", "-CAfile", file.path, file.path])
        #expect(verify.status == 0, "\(verify.stdout) \(verify.stderr)")
    }

    @Test func chainThroughIntermediate() throws {
        let dir = try TestSupport.makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try TLSTestPKI.make(in: dir)
        let ca = try Certificate.parsePEMBundle(TestSupport.read(dir.appendingPathComponent("ca.pem")))[0]
        let leaf = try Certificate.parsePEMBundle(TestSupport.read(dir.appendingPathComponent("server.pem")))[0]
        #expect(ca.isCA)
        #expect(leaf.commonName == "127.0.0.1")
        try leaf.verifyChain(roots: [ca], at: Date())
        let otherCA = try Certificate.parsePEMBundle(TestSupport.read(dir.appendingPathComponent("other-ca.pem")))[0]
        #expect { try leaf.verifyChain(roots: [otherCA], at: Date()) } throws: { ($0 as? CryptoError)?.code == .certificate }
        let badDER = #expect(throws: CryptoError.self) { try Certificate(der: [0x30, 0x00]) }
        #expect(badDER?.code == .certificate, "\(String(describing: badDER))")
        let noPEM = #expect(throws: CryptoError.self) { try Certificate.parsePEMBundle(Array("no pem here".utf8)) }
        #expect(noPEM?.code == .certificate, "\(String(describing: noPEM))")
    }
}

/// A tiny PKI made with the openssl CLI: a CA, a server cert for 127.0.0.1/localhost, a client
/// cert, and an unrelated CA.
enum TLSTestPKI {
    static func make(in dir: URL) throws {
        func run(_ args: [String]) throws {
            let result = try TestSupport.run(args, cwd: dir)
            if result.status != 0 { throw CryptoError(.openSSL, "openssl \(args.joined(separator: " ")): \(result.stderr)") }
        }
        for ca in ["ca", "other-ca"] {
            try run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "\(ca)-key.pem", "-out", "\(ca).pem", "-days", "2", "-subj", "/CN=Signet Test \(ca)",
                     "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        }
        for (name, cn, ext) in [("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth"),
                                ("client", "signet-client", "extendedKeyUsage=clientAuth")] {
            try run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                     "-keyout", "\(name)-key.pem", "-out", "\(name).csr", "-subj", "/CN=\(cn)/O=Signet Tests"])
            try TestSupport.write("basicConstraints=CA:FALSE\n\(ext)\n", to: dir.appendingPathComponent("\(name).ext"))
            try run(["openssl", "x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                     "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        }
    }
}
