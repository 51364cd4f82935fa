/// The key families Notary uses (`keytype` in TUF key JSON, minus the `-x509` variants, which are
/// certificates carrying one of these keys).
///
/// - `ecdsa`: NIST P-256 for generation (the only curve Notary generates); P-384 and P-521 public
///   keys are accepted for verification.
/// - `ed25519`: RFC 8032 Ed25519.
/// - `rsa`: RSA with a modulus of at least 2048 bits (Notary's minimum).
public enum KeyAlgorithm: String, Sendable {
    case ecdsa
    case ed25519
    case rsa
}
