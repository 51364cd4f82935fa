import Foundation
import SignetCrypto
import SignetTUF
import SignetTestSupport
import Testing

/// Key material an attacker crafts with the `openssl` CLI (Debian package `openssl`): CA
/// certificates and bundle keys (other encodings of one EC key: `ECKeyEncodings` in SignetTestSupport).
enum AttackKeyMaterial {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-attack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// A self-signed CA certificate (BasicConstraints CA:TRUE) with CN = `commonName`, P-256.
    static func caCertificate(commonName: String) throws -> Certificate {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("ca.pem")
        try OpenSSLCLI.run(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-keyout", dir.appendingPathComponent("ca.key").path, "-subj", "/CN=" + commonName.replacingOccurrences(of: "/", with: "\\/"), "-days", "30",
                            "-addext", "basicConstraints=critical,CA:TRUE", "-out", cert.path])
        let certificate = try #require(try Certificate.parsePEMBundle([UInt8](try Data(contentsOf: cert))).first)
        #expect(certificate.isCA)
        return certificate
    }

    /// An `ecdsa-x509` / `rsa-x509` TUF key whose `keyval.public` is the PEM of `bundle`, in order.
    static func bundleKey(_ bundle: [Certificate]) -> TUFKey {
        let type = bundle[0].publicKey.algorithm == .rsa ? "rsa-x509" : "ecdsa-x509"
        let pem = bundle.map { $0.pem() }.joined()
        return TUFKey(keyType: type, publicBase64: Data(pem.utf8).base64EncodedString())
    }
}
