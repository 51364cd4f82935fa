import SignetCrypto
import SignetTUF

/// A PEM certificate file given on the command line (`--root-cert`, a certificate as `--root-key`,
/// `init --root-cert`, `delegation add` certificates): the certificate that is the key, by the
/// same rule as a key's value in metadata (`KeyMaterial.leaf(ofBundle:)`: one certificate, or a
/// leaf followed only by CA certificates), so that a file and the metadata never disagree about
/// which certificate is meant.
package enum CertificateFile {
    /// Reads `path` (at most 1 MiB) and returns its key certificate.
    /// - Throws: `ClientError(.usage)` (exit 2) naming the file when it holds no certificate, a
    ///   certificate that does not parse, or a bundle that is not a leaf followed by CAs; read
    ///   errors as `BoundedFile.readInput` throws them.
    package static func read(_ path: String, what: String) throws -> Certificate {
        let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: what)
        do {
            return try KeyMaterial.leaf(ofBundle: try Certificate.parsePEMBundle(bytes)).leaf
        } catch let error as CryptoError {
            throw ClientError(.usage, "\(path) is not a PEM certificate: \(error.message)")
        } catch let error as TUFError {
            throw ClientError(.usage, "\(path): \(error.message)")
        }
    }

    /// Largest number of certificates `readBundle` accepts.
    package static let maxBundleCertificates = 16

    /// Reads `path` (at most 1 MiB) as a bundle of CA certificates (a trust anchor set, e.g. the
    /// client config's `trust_pinning.ca` files).
    /// - Throws: `ClientError(.usage)` (exit 2) naming the file when it holds no certificate, one
    ///   that does not parse, or more than `maxBundleCertificates`; read errors as
    ///   `BoundedFile.readInput` throws them.
    package static func readBundle(_ path: String, what: String) throws -> [Certificate] {
        let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: what)
        let certificates: [Certificate]
        do { certificates = try Certificate.parsePEMBundle(bytes) } catch let error as CryptoError {
            throw ClientError(.usage, "\(what) \(path) is not a PEM certificate bundle: \(error.message)")
        }
        guard !certificates.isEmpty else { throw ClientError(.usage, "\(what) \(path) holds no PEM certificate") }
        guard certificates.count <= maxBundleCertificates else {
            throw ClientError(.usage, "\(what) \(path) holds more than \(maxBundleCertificates) certificates")
        }
        return certificates
    }
}
