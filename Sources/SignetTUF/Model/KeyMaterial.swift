import SignetCrypto
import Synchronization

/// What a TUF key's `keyval.public` decodes to, parsed once per key: the one object from which the
/// key's identity (key material, certificate, canonical key ID) and its verifying key are both
/// taken. Pins, root certificate rules (CN, expiry, SHA-1, RSA size), canonical key IDs and
/// signature checks all read the same `KeyMaterial`, so none of them can look at one certificate
/// while another one verifies.
///
/// For `ecdsa-x509` / `rsa-x509` keys the value is PEM certificate text, and the key *is* its
/// first certificate, the one whose key Notary verifies with (`utils.LoadCertFromPEM` reads the
/// first certificate). A single certificate is taken as it is (delegation certificates made with
/// `openssl req -x509` are often marked CA). More than one certificate must have the shape Notary
/// accepts for root keys (`trustpinning/certs.go`, `parseAllCerts`): the first certificate is the
/// leaf (not a CA), it is the only non-CA certificate, and the others are CA certificates
/// (intermediates). Notary skips any other root key ("leaf certificate missing or too many leaf
/// certificates", "leaf certificate not being first certificate"); Signet refuses such a key
/// whatever its role, so that no second certificate can stand in for the key's identity.
/// Intermediates are kept but no rule uses them: Signet pins certificates and keys, not CAs.
/// Root keys must moreover be leaf certificates (`RootRules.problem`).
public struct KeyMaterial: Sendable {
    /// The key that verifies signatures: the leaf's public key for x509 keys.
    public let publicKey: PublicKey
    /// For x509 keys, the leaf certificate (the first of the bundle); nil for plain keys.
    public let certificate: Certificate?
    /// For x509 keys, the CA certificates after the leaf, in bundle order; empty otherwise.
    public let intermediates: [Certificate]
    /// Notary's canonical key ID: for x509 keys the key ID of the plain (`ecdsa` / `rsa`) key of
    /// the leaf's public key, which names the private key file; for plain keys the key ID.
    public let canonicalID: String

    /// Most certificates accepted in one key's bundle (leaf + intermediates). Notary sets no limit;
    /// real chains have two or three.
    public static let maxBundleCertificates = 8

    /// Decodes `key`.
    /// - Throws: `TUFError(.badKey)` naming the key ID when the key type is unsupported, the
    ///   value is not base64, the key does not parse (including non-canonical encodings, see
    ///   `KeyIdentity`), its algorithm is not the declared one, or an x509 bundle does not have
    ///   the shape above.
    init(decoding key: TUFKey) throws {
        guard TUFKey.supportedTypes.contains(key.keyType) else {
            throw TUFError(.badKey, "key \(key.id) has unsupported key type \"\(RoleName.printable(key.keyType))\"")
        }
        guard let bytes = Base64.decode(key.publicBase64) else { throw TUFError(.badKey, "key \(key.id): public value is not base64") }
        let expected: KeyAlgorithm
        switch key.keyType {
        case "ed25519": expected = .ed25519
        case "rsa", "rsa-x509": expected = .rsa
        default: expected = .ecdsa
        }
        do {
            if key.isX509 {
                let (leaf, intermediates) = try Self.leaf(ofBundle: try Certificate.parsePEMBundle(bytes))
                certificate = leaf
                self.intermediates = intermediates
                publicKey = leaf.publicKey
            } else {
                publicKey = expected == .ed25519 ? try PublicKey(ed25519Raw: bytes) : try PublicKey(spkiDER: bytes)
                certificate = nil
                intermediates = []
            }
        } catch let error as CryptoError {
            throw TUFError(.badKey, "key \(key.id) (\(key.keyType)) does not decode: \(error)")
        } catch let error as TUFError {
            throw TUFError(.badKey, "key \(key.id) (\(key.keyType)): \(error.message)")
        }
        guard publicKey.algorithm == expected else {
            throw TUFError(.badKey, "key \(key.id) is declared \(key.keyType) but holds a \(publicKey.algorithm.rawValue) key")
        }
        canonicalID = key.isX509 ? TUFKey(publicKey: publicKey).id : key.id
    }

    /// The certificate that is the key, from the certificates of a key's value (or of a
    /// certificate file): the only one, or the leaf of a bundle in Notary's shape (first
    /// certificate not a CA, every other one a CA); at most `maxBundleCertificates`. The CLI
    /// applies the same rule to `--root-cert` files and certificate key files.
    /// - Returns: the leaf and the intermediates after it.
    /// - Throws: `TUFError(.badKey)` saying which part of the shape is wrong.
    public static func leaf(ofBundle bundle: [Certificate]) throws -> (leaf: Certificate, intermediates: [Certificate]) {
        guard let leaf = bundle.first else { throw TUFError(.badKey, "no certificate in the bundle") }
        guard bundle.count <= maxBundleCertificates else {
            throw TUFError(.badKey, "certificate bundle has \(bundle.count) certificates, at most \(maxBundleCertificates) are accepted")
        }
        guard bundle.count > 1 else { return (leaf, []) }
        guard !leaf.isCA else {
            throw TUFError(.badKey, "the first certificate of the bundle (\(leaf.subjectDescription)) is a CA; the leaf certificate must come first")
        }
        let intermediates = Array(bundle.dropFirst())
        if let second = intermediates.first(where: { !$0.isCA }) {
            throw TUFError(.badKey, "the bundle has more than one leaf certificate (\(leaf.subjectDescription), \(second.subjectDescription)); a key is one certificate, and only CA certificates may follow it")
        }
        return (leaf, intermediates)
    }
}

/// The decoded `KeyMaterial` of one TUF key, computed on first use and then shared by every copy
/// of the key (a hostile file may list many keys that no signature uses; those are never parsed).
final class KeyMaterialCache: Sendable {
    /// Written once, on first use.
    private let result = Mutex<Result<KeyMaterial, TUFError>?>(nil)

    func material(of key: TUFKey) throws -> KeyMaterial {
        try result.withLock { result in
            if let result { return try result.get() }
            let decoded: Result<KeyMaterial, TUFError>
            do { decoded = .success(try KeyMaterial(decoding: key)) } catch let error as TUFError {
                decoded = .failure(error)
            } catch {
                decoded = .failure(TUFError(.badKey, "key \(key.id): \(error)"))
            }
            result = decoded
            return try decoded.get()
        }
    }
}
