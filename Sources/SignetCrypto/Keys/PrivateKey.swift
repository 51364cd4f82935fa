internal import COpenSSL

/// A private signing key: ECDSA (P-256, P-384, P-521), Ed25519 or RSA (≥ 2048 bits).
///
/// Immutable; safe to share between threads. Load one with `init(pemBlock:passphrase:)` or
/// `init(derPKCS8:)`, make one with `generate(_:rsaBits:)`, store one with `encryptedPKCS8DER`.
public final class PrivateKey: @unchecked Sendable {  // EVP_PKEY is never mutated after init; OpenSSL refcounts atomically.
    let pkey: OpaquePointer
    /// The key family.
    public let algorithm: KeyAlgorithm
    /// The matching public key.
    public let publicKey: PublicKey
    /// Reusable ECDSA sign contexts; each holds its own reference to `pkey`.
    let signContexts: PKeyContextPool

    /// Takes ownership of one reference to `pkey` (freed in deinit, also when this init throws).
    init(owning pkey: OpaquePointer) throws {
        // All checks run before any stored property is set: a throw after full initialisation
        // would also run deinit and free `pkey` twice.
        let publicKey: PublicKey
        do {
            // The public half travels through DER so PublicKey owns an EVP_PKEY without the secret.
            let spki = try DERBuffer.encode("i2d_PUBKEY failed") { i2d_PUBKEY(pkey, $0) }
            publicKey = try PublicKey(spkiDER: spki)
            if publicKey.algorithm == .rsa, publicKey.bits < 2048 {
                throw CryptoError(.unsupportedKey, "RSA key of \(publicKey.bits) bits is below the 2048-bit minimum")
            }
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
        self.publicKey = publicKey
        self.algorithm = publicKey.algorithm
        self.signContexts = PKeyContextPool.ecdsa(PKeyReference(raw: pkey), sign: true)
    }

    deinit { EVP_PKEY_free(pkey) }

    /// The method Notary signs with for this key family: ecdsa → `.ecdsa`, ed25519 → `.eddsa`,
    /// rsa → `.rsapss`.
    public var defaultMethod: SignatureMethod { algorithm.signingMethod }

    /// Generates a new key: ECDSA on P-256 (the only curve Notary generates), Ed25519, or RSA with
    /// `rsaBits` bits (default 3072; at least 2048). RSA generation takes ~0.2–1 s.
    /// - Throws: `CryptoError(.unsupportedKey)` for `rsaBits` < 2048; `.openSSL` if generation fails.
    public static func generate(_ algorithm: KeyAlgorithm, rsaBits: Int = 3072) throws -> PrivateKey {
        let name: String
        switch algorithm {
        case .ecdsa: name = "EC"
        case .ed25519: name = "ED25519"
        case .rsa:
            guard rsaBits >= 2048, rsaBits <= 16384 else {
                throw CryptoError(.unsupportedKey, "RSA key size \(rsaBits) outside 2048…16384 bits")
            }
            name = "RSA"
        }
        let ctx = try OpenSSLCall.check(EVP_PKEY_CTX_new_from_name(nil, name, nil), .openSSL, "EVP_PKEY_CTX_new_from_name(\(name)) failed")
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLCall.check(EVP_PKEY_keygen_init(ctx), .openSSL, "EVP_PKEY_keygen_init(\(name)) failed")
        switch algorithm {
        case .ecdsa:
            try OpenSSLCall.check(EVP_PKEY_CTX_set_group_name(ctx, "P-256"), .openSSL, "setting curve P-256 failed")
        case .rsa:
            try OpenSSLCall.check(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(rsaBits)), .openSSL, "setting RSA size \(rsaBits) failed")
        case .ed25519:
            break
        }
        var pkey: OpaquePointer? = nil
        try OpenSSLCall.check(EVP_PKEY_generate(ctx, &pkey), .openSSL, "generating a \(algorithm.rawValue) key failed")
        return try PrivateKey(owning: try OpenSSLCall.check(pkey, .openSSL, "key generation returned no key"))
    }
}
