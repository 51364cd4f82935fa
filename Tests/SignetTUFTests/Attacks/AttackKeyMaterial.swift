import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Key material an attacker crafts with the `openssl` CLI (Debian package `openssl`): other
/// encodings of one EC public key, and CA certificates.
enum AttackKeyMaterial {
    /// Runs `openssl` with `arguments`; records an issue naming the package when it fails.
    @discardableResult
    static func openssl(_ arguments: [String]) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch {
            Issue.record("cannot run openssl (Debian package openssl): \(error)")
            return false
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 { Issue.record("openssl \(arguments.joined(separator: " ")) failed: \(text)") }
        return process.terminationStatus == 0
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-attack-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// The DER SubjectPublicKeyInfo of `key` (ECDSA) in each encoding OpenSSL can write:
    /// uncompressed, compressed, hybrid, explicit curve parameters (with both point forms).
    static func ecEncodings(of key: PublicKey) throws -> [String: [UInt8]] {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("pub.pem")
        try Data(key.pem().utf8).write(to: input)
        let variants: [String: [String]] = [
            "uncompressed": ["-ec_conv_form", "uncompressed"],
            "compressed": ["-ec_conv_form", "compressed"],
            "hybrid": ["-ec_conv_form", "hybrid"],
            "explicit": ["-ec_param_enc", "explicit"],
            "explicit+compressed": ["-ec_param_enc", "explicit", "-ec_conv_form", "compressed"],
        ]
        var out: [String: [UInt8]] = [:]
        for (name, flags) in variants {
            let file = dir.appendingPathComponent("\(name).der")
            try openssl(["pkey", "-pubin", "-in", input.path, "-pubout", "-outform", "DER"] + flags + ["-out", file.path])
            out[name] = [UInt8](try Data(contentsOf: file))
        }
        return out
    }

    /// A self-signed CA certificate (BasicConstraints CA:TRUE) with CN = `commonName`, P-256.
    static func caCertificate(commonName: String) throws -> Certificate {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cert = dir.appendingPathComponent("ca.pem")
        try openssl(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
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
