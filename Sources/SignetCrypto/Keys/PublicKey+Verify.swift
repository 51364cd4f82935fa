internal import COpenSSL

extension PublicKey {
    /// Verifies `signature` over `message` with `method`, as Notary's verifiers do (notary.md §3.8).
    ///
    /// - `ecdsa`: `signature` must be raw `r‖s`, exactly twice the curve byte size (64 bytes for
    ///   P-256); DER signatures are rejected (return false). The message is hashed with SHA-256
    ///   whatever the curve, as Notary does.
    /// - `eddsa`: pure Ed25519 over `message`; 64-byte signature.
    /// - `rsapss`, `pycrypto-pkcs#1 pss`: RSASSA-PSS, SHA-256, MGF1-SHA256, salt 32 bytes.
    /// - `rsapkcs1v15`: RSASSA-PKCS1-v1_5 with SHA-256.
    ///
    /// - Returns: true iff the signature is valid; false for any bad or malformed signature.
    /// - Throws: `CryptoError(.unsupportedMethod)` if `method` does not fit this key's algorithm;
    ///   `.unsupportedKey` for an RSA key under 2048 bits (Notary's minimum).
    public func verify(signature: [UInt8], message: [UInt8], method: SignatureMethod) throws -> Bool {
        guard method.keyAlgorithm == algorithm else {
            throw CryptoError(.unsupportedMethod, "signature method \(method.rawValue) cannot verify with a \(algorithm.rawValue) key")
        }
        switch algorithm {
        case .ecdsa:
            guard signature.count == 2 * ecFieldBytes else { return false }
            let der = ECDSASignatureEncoding.der(fromRaw: signature)
            return verifyECDSA(der, Digest.sha256(message))
        case .ed25519:
            guard signature.count == 64 else { return false }
            return verifyEd25519(signature, message)
        case .rsa:
            guard bits >= 2048 else {
                throw CryptoError(.unsupportedKey, "RSA key of \(bits) bits is below the 2048-bit minimum")
            }
            let padding = method == .rsapkcs1v15 ? RSA_PKCS1_PADDING : RSA_PKCS1_PSS_PADDING
            return verifyPrehashed(signature, Digest.sha256(message), padding: padding)
        }
    }

    /// ECDSA: verify over a SHA-256 digest with a pooled, pre-initialised context.
    func verifyECDSA(_ der: [UInt8], _ digest: [UInt8]) -> Bool {
        let valid = try? verifyContexts.withContext { ctx -> (result: Bool, reusable: Bool) in
            let rc = der.withUnsafeBufferPointer { sig in
                digest.withUnsafeBufferPointer { md in
                    EVP_PKEY_verify(ctx, sig.baseAddress, sig.count, md.baseAddress, md.count)
                }
            }
            if rc != 1 { OpenSSLCall.clearErrors() }
            // 0 = bad signature (context still fine); < 0 = error: do not reuse the context.
            return (rc == 1, rc >= 0)
        }
        return valid == true
    }

    /// RSA: verify over a SHA-256 digest with a per-call `EVP_PKEY_CTX`; PSS with a salt of
    /// `pssSaltLength` bytes (Notary: 32) or OpenSSL's `RSA_PSS_SALTLEN_AUTO` (TUF 1.0 schemes).
    func verifyPrehashed(_ signature: [UInt8], _ digest: [UInt8], padding: Int32?, pssSaltLength: Int32 = 32) -> Bool {
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else { OpenSSLCall.clearErrors(); return false }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_verify_init(ctx) == 1,
              EVP_PKEY_CTX_set_signature_md(ctx, FetchedDigest.sha256.md) == 1
        else { OpenSSLCall.clearErrors(); return false }
        if let padding {
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, padding) == 1 else { OpenSSLCall.clearErrors(); return false }
            if padding == RSA_PKCS1_PSS_PADDING {
                guard EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, FetchedDigest.sha256.md) == 1,
                      EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, pssSaltLength) == 1
                else { OpenSSLCall.clearErrors(); return false }
            }
        }
        let rc = signature.withUnsafeBufferPointer { sig in
            digest.withUnsafeBufferPointer { md in
                EVP_PKEY_verify(ctx, sig.baseAddress, sig.count, md.baseAddress, md.count)
            }
        }
        if rc != 1 { OpenSSLCall.clearErrors() }
        return rc == 1
    }

    func verifyEd25519(_ signature: [UInt8], _ message: [UInt8]) -> Bool {
        guard let ctx = EVP_MD_CTX_new() else { OpenSSLCall.clearErrors(); return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit_ex(ctx, nil, nil, nil, nil, pkey, nil) == 1 else { OpenSSLCall.clearErrors(); return false }
        let rc = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                withUnsafeBytes(of: 0 as UInt8) { empty in
                    EVP_DigestVerify(ctx, sig.baseAddress, sig.count,
                                     msg.baseAddress ?? empty.baseAddress!.assumingMemoryBound(to: UInt8.self), msg.count)
                }
            }
        }
        if rc != 1 { OpenSSLCall.clearErrors() }
        return rc == 1
    }
}
