import SignetCrypto
import SignetTUF

extension RootPin {
    /// The root pin a read command was given (`--root-keyid`, `--root-cert`, `--root-key`), or nil
    /// for trust on first use. At most one of the three may be set (the caller checks).
    /// - Parameters:
    ///   - keyID: a root key ID, 64 hex digits (TUF key ID or Notary's canonical key ID), any case.
    ///   - certificateFile: a PEM certificate (at most 1 MiB) that must be a root key's certificate,
    ///     read by `CertificateFile`'s bundle rule.
    ///   - keyFile: a PEM public key, or a PEM certificate whose key must be a root key (at most 1 MiB).
    /// - Throws: `ClientError(.usage)` naming the file when it is not a PEM public key or
    ///   certificate; what `BoundedFile.readInput` throws when it cannot be read.
    package static func load(keyID: String?, certificateFile: String?, keyFile: String?) throws -> RootPin? {
        if let keyID { return .keyID(keyID.lowercased()) }
        if let certificateFile {
            return .certificate(try CertificateFile.read(certificateFile, what: "root certificate"))
        }
        if let keyFile {
            let bytes = try BoundedFile.readInput(keyFile, maxLength: 1 << 20, what: "root key")
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("BEGIN CERTIFICATE") {
                return .publicKey(try CertificateFile.read(keyFile, what: "root key").publicKey)
            }
            do { return .publicKey(try PublicKey(pem: text)) } catch {
                throw ClientError(.usage, "\(keyFile) is not a PEM public key or certificate: \(error)")
            }
        }
        return nil
    }
}
