internal import COpenSSL

/// Client-side TLS configuration (TLS 1.2 and 1.3 only). The peer certificate is always
/// verified against `caFile` or the system trust store; the hostname is checked per connection.
/// Immutable after init; safe to share between threads.
public final class TLSClientContext: @unchecked Sendable {  // SSL_CTX is configured once in init and only read (refcounted, locked internally) afterwards.
    let ctx: OpaquePointer

    /// - Parameters:
    ///   - caFile: PEM file of trusted CA certificates (Notary's `--tlscacert`); nil uses OpenSSL's
    ///     default system paths.
    ///   - clientCertificateFile: PEM certificate chain for mutual TLS (`--tlscert`); needs `clientKeyFile`.
    ///   - clientKeyFile: the matching unencrypted PEM private key (`--tlskey`).
    /// - Throws: `CryptoError(.tls)` naming the file that could not be loaded.
    public init(caFile: String?, clientCertificateFile: String? = nil, clientKeyFile: String? = nil) throws {
        // Configure a local first: a throw after `self.ctx` is set would also run deinit (double free).
        let ctx = try OpenSSLCall.check(SSL_CTX_new(TLS_client_method()), .tls, "SSL_CTX_new failed")
        do {
            try TLSContextSetup.common(ctx)
            if let caFile {
                try OpenSSLCall.check(SSL_CTX_load_verify_locations(ctx, caFile, nil), .tls, "cannot load CA file \(caFile)")
            } else {
                try OpenSSLCall.check(SSL_CTX_set_default_verify_paths(ctx), .tls, "cannot load the system CA certificates")
            }
            SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nil)
            switch (clientCertificateFile, clientKeyFile) {
            case (nil, nil):
                break
            case let (cert?, key?):
                try OpenSSLCall.check(SSL_CTX_use_certificate_chain_file(ctx, cert), .tls, "cannot load client certificate \(cert)")
                try OpenSSLCall.check(SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM), .tls, "cannot load client key \(key)")
                try OpenSSLCall.check(SSL_CTX_check_private_key(ctx), .tls, "client key \(key) does not match certificate \(cert)")
            default:
                throw CryptoError(.tls, "a client certificate needs both clientCertificateFile and clientKeyFile")
            }
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        self.ctx = ctx
    }

    deinit { SSL_CTX_free(ctx) }
}
