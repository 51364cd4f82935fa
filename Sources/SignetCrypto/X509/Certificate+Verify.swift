import FoundationEssentials
internal import COpenSSL

extension Certificate {
    /// Verifies that this certificate chains to one of `roots`, possibly through `intermediates`,
    /// with every certificate valid at `at` (RFC 5280 §6 path validation as OpenSSL implements it).
    ///
    /// Any certificate in `roots` is a trust anchor, self-signed or not (like Go's `x509.Verify`
    /// roots pool, which Notary's trust pinning uses); a self-signed leaf listed in `roots`
    /// verifies against itself. No key-usage purpose is enforced here; callers apply Notary's own
    /// rules (CN, SHA-1, expiry windows) on top.
    ///
    /// - Throws: `CryptoError(.certificate)` whose message names this certificate's subject and
    ///   OpenSSL's reason (for example "certificate has expired", "unable to get local issuer
    ///   certificate").
    public func verifyChain(roots: [Certificate], intermediates: [Certificate] = [], at: Date) throws {
        guard !roots.isEmpty else {
            throw CryptoError(.certificate, "certificate \(subjectDescription): no trusted roots given")
        }
        let store = try OpenSSLCall.check(X509_STORE_new(), .openSSL, "X509_STORE_new failed")
        defer { X509_STORE_free(store) }
        for root in roots {
            try OpenSSLCall.check(X509_STORE_add_cert(store, root.x509), .openSSL, "adding a root certificate failed")
        }
        // The stack borrows the X509 pointers (the Certificate objects keep them alive); freeing
        // the stack alone does not free its elements.
        let untrusted = try OpenSSLCall.check(OPENSSL_sk_new_null(), .openSSL, "OPENSSL_sk_new_null failed")
        defer { OPENSSL_sk_free(untrusted) }
        for intermediate in intermediates {
            guard OPENSSL_sk_push(untrusted, UnsafeRawPointer(intermediate.x509)) > 0 else {
                throw CryptoError(.openSSL, "OPENSSL_sk_push failed", openSSLErrors: OpenSSLCall.drainErrors())
            }
        }
        let ctx = try OpenSSLCall.check(X509_STORE_CTX_new(), .openSSL, "X509_STORE_CTX_new failed")
        defer { X509_STORE_CTX_free(ctx) }
        try OpenSSLCall.check(X509_STORE_CTX_init(ctx, store, x509, untrusted), .openSSL, "X509_STORE_CTX_init failed")
        X509_STORE_CTX_set_flags(ctx, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        X509_STORE_CTX_set_time(ctx, 0, time_t(at.timeIntervalSince1970.rounded(.down)))
        let result = X509_verify_cert(ctx)
        guard result == 1 else {
            let code = X509_STORE_CTX_get_error(ctx)
            let reason = String(cString: X509_verify_cert_error_string(Int(code)))
            OpenSSLCall.clearErrors()
            throw CryptoError(.certificate, "certificate \(subjectDescription) does not verify: \(reason)")
        }
    }
}
