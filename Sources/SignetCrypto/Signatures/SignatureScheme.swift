/// Signature schemes as TUF 1.0 keys name them in their `scheme` field (TUF specification 1.0,
/// §4.2 "KEYTYPE / SCHEME"; securesystemslib, which python-tuf and go-tuf follow).
///
/// Unlike Notary's `SignatureMethod` (named per signature), a TUF 1.0 scheme belongs to the key:
/// every signature by that key is verified with it.
///
/// | scheme | key | encoding |
/// |---|---|---|
/// | `ed25519` | Ed25519 | pure Ed25519 (RFC 8032), 64 bytes |
/// | `ecdsa-sha2-nistp256` | ECDSA P-256 | SHA-256, DER `ECDSA-Sig-Value` (SEC 1 §C.5) |
/// | `rsassa-pss-sha256` | RSA ≥ 2048 bits | RSASSA-PSS, SHA-256, MGF1-SHA256, any salt length (RFC 8017 §8.1) |
/// | `rsa-pkcs1v15-sha256` | RSA ≥ 2048 bits | RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2) |
public enum SignatureScheme: String, Sendable, CaseIterable {
    case ed25519
    case ecdsaSHA2NISTP256 = "ecdsa-sha2-nistp256"
    case rsassaPSSSHA256 = "rsassa-pss-sha256"
    case rsaPKCS1v15SHA256 = "rsa-pkcs1v15-sha256"

    /// The key family this scheme verifies with.
    public var keyAlgorithm: KeyAlgorithm {
        switch self {
        case .ed25519: return .ed25519
        case .ecdsaSHA2NISTP256: return .ecdsa
        case .rsassaPSSSHA256, .rsaPKCS1v15SHA256: return .rsa
        }
    }
}
