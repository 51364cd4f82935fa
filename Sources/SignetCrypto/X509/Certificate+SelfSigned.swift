import FoundationEssentials
internal import COpenSSL

extension Certificate {
    /// Makes a self-signed certificate the way Notary makes root certificates (notary.md §3.10,
    /// notary `cryptoservice.GenerateCertificate`):
    /// X.509 v3; random 128-bit serial (positive); subject = issuer = `CN=<commonName>` only;
    /// validity `notBefore`…`notAfter` (Notary: now … now + 10 years); KeyUsage digitalSignature +
    /// keyEncipherment (critical); ExtKeyUsage codeSigning; BasicConstraints CA:FALSE (critical);
    /// signed by `key` with SHA-256 (ECDSA: ecdsa-with-SHA256, RSA: sha256WithRSAEncryption;
    /// Ed25519: pure Ed25519).
    ///
    /// - Parameters:
    ///   - commonName: the GUN, for example `docker.io/library/alpine` (UTF-8, 1…`maxCommonNameBytes`
    ///     bytes). Like Go's `crypto/x509` (which Notary uses), the CN is written whole even past
    ///     X.520's `ub-common-name` of 64 characters: Notary 0.7 makes such root certificates for
    ///     GUNs up to 255 bytes and requires CN = GUN, so a shorter CN could not be a Notary root.
    ///   - key: the root key that is both subject key and signer.
    /// - Throws: `CryptoError(.certificate)` for an empty/oversized name or `notAfter` ≤ `notBefore`;
    ///   `.openSSL` if building or signing fails.
    /// The longest common name `selfSigned` writes, in bytes: the longest GUN (Notary's 255).
    public static let maxCommonNameBytes = 255

    public static func selfSigned(commonName: String, key: PrivateKey, notBefore: Date, notAfter: Date) throws -> Certificate {
        let nameBytes = Array(commonName.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= maxCommonNameBytes else {
            throw CryptoError(.certificate, "certificate common name must be 1…\(maxCommonNameBytes) bytes, got \(nameBytes.count)")
        }
        guard notAfter > notBefore else { throw CryptoError(.certificate, "certificate notAfter must be after notBefore") }

        let x509 = try OpenSSLCall.check(X509_new(), .openSSL, "X509_new failed")
        var owned = true
        defer { if owned { X509_free(x509) } }

        try OpenSSLCall.check(X509_set_version(x509, 2), .openSSL, "X509_set_version failed")

        var serialBytes = SecureRandom.bytes(16)
        serialBytes[0] &= 0x7f  // positive, as Go's rand.Int(2^128) serials are
        if serialBytes[0] == 0 { serialBytes[0] = 0x01 }
        let serialNumber = try OpenSSLCall.check(serialBytes.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32($0.count), nil) },
                                                 .openSSL, "BN_bin2bn failed")
        defer { BN_free(serialNumber) }
        let serial = try OpenSSLCall.check(BN_to_ASN1_INTEGER(serialNumber, nil), .openSSL, "BN_to_ASN1_INTEGER failed")
        defer { ASN1_INTEGER_free(serial) }
        try OpenSSLCall.check(X509_set_serialNumber(x509, serial), .openSSL, "X509_set_serialNumber failed")

        _ = try OpenSSLCall.check(ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970.rounded(.down))),
                              .openSSL, "setting notBefore failed")
        _ = try OpenSSLCall.check(ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970.rounded(.down))),
                              .openSSL, "setting notAfter failed")

        let name = try OpenSSLCall.check(X509_NAME_new(), .openSSL, "X509_NAME_new failed")
        defer { X509_NAME_free(name) }
        // An explicit UTF8String type (not MBSTRING_UTF8): the MBSTRING path applies OpenSSL's
        // string table, which refuses a CN over ub-common-name (64); the bytes are the same.
        _ = try nameBytes.withUnsafeBufferPointer { bytes in
            try OpenSSLCall.check(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_UTF8STRING, bytes.baseAddress, Int32(bytes.count), -1, 0),
                                  .certificate, "invalid certificate common name")
        }
        try OpenSSLCall.check(X509_set_subject_name(x509, name), .openSSL, "X509_set_subject_name failed")
        try OpenSSLCall.check(X509_set_issuer_name(x509, name), .openSSL, "X509_set_issuer_name failed")
        try OpenSSLCall.check(X509_set_pubkey(x509, key.pkey), .openSSL, "X509_set_pubkey failed")

        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, x509, x509, nil, nil, 0)
        for (nid, value) in [(NID_key_usage, "critical,digitalSignature,keyEncipherment"),
                             (NID_ext_key_usage, "codeSigning"),
                             (NID_basic_constraints, "critical,CA:FALSE")] {
            let ext = try OpenSSLCall.check(X509V3_EXT_conf_nid(nil, &v3, nid, value), .openSSL, "building extension \(value) failed")
            defer { X509_EXTENSION_free(ext) }
            try OpenSSLCall.check(X509_add_ext(x509, ext, -1), .openSSL, "adding extension \(value) failed")
        }

        let digest: OpaquePointer? = key.algorithm == .ed25519 ? nil : FetchedDigest.sha256.md
        guard X509_sign(x509, key.pkey, digest) > 0 else {
            throw CryptoError(.openSSL, "signing the certificate failed", openSSLErrors: OpenSSLCall.drainErrors())
        }
        owned = false
        return try Certificate(owning: x509)
    }
}
