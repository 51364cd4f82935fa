internal import COpenSSL

extension PublicKey {
    /// Verifies `signature` over `message` with a TUF 1.0 `scheme` (`SignatureScheme`).
    ///
    /// - `ed25519`: pure Ed25519 over `message`; the signature must be 64 bytes.
    /// - `ecdsa-sha2-nistp256`: the key must be on P-256; `signature` is DER (OpenSSL refuses
    ///   trailing bytes and non-minimal encodings); `message` is hashed with SHA-256.
    /// - `rsassa-pss-sha256`: RSASSA-PSS with SHA-256 and MGF1-SHA256; the salt length is read from
    ///   the signature (securesystemslib verifies with `PSS.AUTO`; python-tuf and go-tuf sign with
    ///   a 32-byte salt).
    /// - `rsa-pkcs1v15-sha256`: RSASSA-PKCS1-v1_5 with SHA-256.
    ///
    /// - Returns: true iff the signature is valid; false for any bad or malformed signature.
    /// - Throws: `CryptoError(.unsupportedMethod)` when `scheme` does not fit this key (another
    ///   algorithm, or an ECDSA curve other than P-256); `.unsupportedKey` for an RSA key under
    ///   2048 bits.
    public func verify(signature: [UInt8], message: [UInt8], scheme: SignatureScheme) throws -> Bool {
        guard scheme.keyAlgorithm == algorithm else {
            throw CryptoError(.unsupportedMethod, "signature scheme \(scheme.rawValue) cannot verify with a \(algorithm.rawValue) key")
        }
        switch scheme {
        case .ed25519:
            guard signature.count == 64 else { return false }
            return verifyEd25519(signature, message)
        case .ecdsaSHA2NISTP256:
            guard ecFieldBytes == 32 else {
                throw CryptoError(.unsupportedMethod, "signature scheme \(scheme.rawValue) needs a P-256 key, this one is \(bits) bits")
            }
            guard !signature.isEmpty else { return false }
            return verifyECDSA(signature, Digest.sha256(message))
        case .rsassaPSSSHA256, .rsaPKCS1v15SHA256:
            guard bits >= 2048 else {
                throw CryptoError(.unsupportedKey, "RSA key of \(bits) bits is below the 2048-bit minimum")
            }
            guard !signature.isEmpty else { return false }
            let pss = scheme == .rsassaPSSSHA256
            return verifyPrehashed(signature, Digest.sha256(message), padding: pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING,
                                   pssSaltLength: RSA_PSS_SALTLEN_AUTO)
        }
    }
}
