internal import COpenSSL

extension PrivateKey {
    /// Signs `message` (the whole message, not a digest) in Notary's encodings (notary.md §3.8):
    /// - `ecdsa`: SHA-256 digest, signature as raw `r‖s` each left-padded to the curve size
    ///   (64 bytes for P-256);
    /// - `eddsa`: pure Ed25519 (RFC 8032), 64 bytes;
    /// - `rsapss`: RSASSA-PSS with SHA-256, MGF1-SHA256, salt 32 bytes (RFC 8017 §8.1); modulus-size bytes.
    ///
    /// - Parameter method: nil means `defaultMethod`. Notary signs RSA only with `rsapss`, so
    ///   `rsapkcs1v15` and `pycrypto-pkcs#1 pss` are verify-only here too.
    /// - Throws: `CryptoError(.unsupportedMethod)` if `method` does not fit the key or is verify-only;
    ///   `.openSSL` if OpenSSL fails.
    public func sign(_ message: [UInt8], method: SignatureMethod? = nil) throws -> [UInt8] {
        let method = method ?? defaultMethod
        guard method == defaultMethod else {
            throw CryptoError(.unsupportedMethod, "cannot sign with method \(method.rawValue) using a \(algorithm.rawValue) key")
        }
        switch algorithm {
        case .ecdsa:
            let der = try signECDSA(Digest.sha256(message))
            guard let raw = ECDSASignatureEncoding.raw(fromDER: der, fieldBytes: publicKey.ecFieldBytes) else {
                throw CryptoError(.openSSL, "OpenSSL returned a malformed ECDSA signature")
            }
            return raw
        case .rsa:
            return try signPrehashed(Digest.sha256(message), pss: true)
        case .ed25519:
            return try signEd25519(message)
        }
    }

    /// ECDSA over a SHA-256 digest with a pooled, pre-initialised context; returns DER.
    private func signECDSA(_ digest: [UInt8]) throws -> [UInt8] {
        // DER ECDSA-Sig-Value is at most 2 × (field + 3) + 3 bytes; 2 × 69 + 4 covers P-521.
        var signature = [UInt8](repeating: 0, count: 2 * (publicKey.ecFieldBytes + 3) + 4)
        let length = try signContexts.withContext { ctx -> (result: Int, reusable: Bool) in
            var length = signature.count
            let rc = signature.withUnsafeMutableBufferPointer { sig in
                digest.withUnsafeBufferPointer { md in
                    EVP_PKEY_sign(ctx, sig.baseAddress, &length, md.baseAddress, md.count)
                }
            }
            guard rc == 1 else {
                throw CryptoError(.openSSL, "ECDSA signing failed", openSSLErrors: OpenSSLCall.drainErrors())
            }
            return (length, true)
        }
        guard let length else {
            throw CryptoError(.openSSL, "cannot create an ECDSA signing context", openSSLErrors: OpenSSLCall.drainErrors())
        }
        signature.removeLast(signature.count - length)
        return signature
    }

    private func signPrehashed(_ digest: [UInt8], pss: Bool) throws -> [UInt8] {
        let ctx = try OpenSSLCall.check(EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil), .openSSL, "EVP_PKEY_CTX_new failed")
        defer { EVP_PKEY_CTX_free(ctx) }
        try OpenSSLCall.check(EVP_PKEY_sign_init(ctx), .openSSL, "EVP_PKEY_sign_init failed")
        try OpenSSLCall.check(EVP_PKEY_CTX_set_signature_md(ctx, FetchedDigest.sha256.md), .openSSL, "setting SHA-256 failed")
        if pss {
            try OpenSSLCall.check(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), .openSSL, "setting PSS padding failed")
            try OpenSSLCall.check(EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, FetchedDigest.sha256.md), .openSSL, "setting MGF1-SHA256 failed")
            try OpenSSLCall.check(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32), .openSSL, "setting PSS salt length failed")
        }
        var length = 0
        _ = try digest.withUnsafeBufferPointer { md in
            try OpenSSLCall.check(EVP_PKEY_sign(ctx, nil, &length, md.baseAddress, md.count), .openSSL, "EVP_PKEY_sign (size) failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        _ = try signature.withUnsafeMutableBufferPointer { sig in
            try digest.withUnsafeBufferPointer { md in
                try OpenSSLCall.check(EVP_PKEY_sign(ctx, sig.baseAddress, &length, md.baseAddress, md.count), .openSSL, "EVP_PKEY_sign failed")
            }
        }
        signature.removeLast(signature.count - length)
        return signature
    }

    private func signEd25519(_ message: [UInt8]) throws -> [UInt8] {
        let ctx = try OpenSSLCall.check(EVP_MD_CTX_new(), .openSSL, "EVP_MD_CTX_new failed")
        defer { EVP_MD_CTX_free(ctx) }
        try OpenSSLCall.check(EVP_DigestSignInit_ex(ctx, nil, nil, nil, nil, pkey, nil), .openSSL, "EVP_DigestSignInit failed")
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        _ = try signature.withUnsafeMutableBufferPointer { sig in
            try message.withUnsafeBufferPointer { msg in
                try withUnsafeBytes(of: 0 as UInt8) { empty in
                    try OpenSSLCall.check(
                        EVP_DigestSign(ctx, sig.baseAddress, &length,
                                       msg.baseAddress ?? empty.baseAddress!.assumingMemoryBound(to: UInt8.self), msg.count),
                        .openSSL, "Ed25519 signing failed")
                }
            }
        }
        guard length == 64 else { throw CryptoError(.openSSL, "Ed25519 signature of \(length) bytes") }
        return signature
    }
}
