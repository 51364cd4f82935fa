internal import COpenSSL

/// Server-side TLS configuration (TLS 1.2 and 1.3 only), shared by every connection the server
/// accepts. Immutable after init; safe to share between threads.
public final class TLSServerContext: @unchecked Sendable {  // SSL_CTX is configured once in init and only read (refcounted, locked internally) afterwards.
    let ctx: OpaquePointer

    /// - Parameters:
    ///   - certificateChainPEMFile: path to the server certificate followed by its intermediates (PEM).
    ///   - privateKeyPEMFile: path to the matching unencrypted private key (PEM; PKCS#8, SEC1 or PKCS#1).
    ///   - clientCAFile: path to PEM CA certificates that client certificates must chain to; nil
    ///     disables client-certificate requests (no mTLS).
    ///   - requireClientCertificate: with a `clientCAFile`, reject clients that send no
    ///     certificate (otherwise a certificate is requested and, if sent, verified).
    /// - Throws: `CryptoError(.tls)` naming the file that could not be loaded, or a key that does
    ///   not match the certificate.
    public init(certificateChainPEMFile: String, privateKeyPEMFile: String, clientCAFile: String? = nil, requireClientCertificate: Bool = false) throws {
        // Configure a local first: a throw after `self.ctx` is set would also run deinit (double free).
        let ctx = try OpenSSLCall.check(SSL_CTX_new(TLS_server_method()), .tls, "SSL_CTX_new failed")
        do {
            try TLSContextSetup.common(ctx)
            try OpenSSLCall.check(SSL_CTX_use_certificate_chain_file(ctx, certificateChainPEMFile), .tls,
                                  "cannot load TLS certificate chain \(certificateChainPEMFile)")
            try OpenSSLCall.check(SSL_CTX_use_PrivateKey_file(ctx, privateKeyPEMFile, SSL_FILETYPE_PEM), .tls,
                                  "cannot load TLS private key \(privateKeyPEMFile)")
            try OpenSSLCall.check(SSL_CTX_check_private_key(ctx), .tls,
                                  "TLS private key \(privateKeyPEMFile) does not match certificate \(certificateChainPEMFile)")
            if let clientCAFile {
                try OpenSSLCall.check(SSL_CTX_load_verify_locations(ctx, clientCAFile, nil), .tls, "cannot load client CA file \(clientCAFile)")
                let names = try OpenSSLCall.check(SSL_load_client_CA_file(clientCAFile), .tls, "cannot read CA names from \(clientCAFile)")
                SSL_CTX_set_client_CA_list(ctx, names)  // takes ownership of `names`
                let mode = SSL_VERIFY_PEER | (requireClientCertificate ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0)
                SSL_CTX_set_verify(ctx, mode, nil)
            } else if requireClientCertificate {
                throw CryptoError(.tls, "requireClientCertificate needs a clientCAFile")
            }
        } catch {
            SSL_CTX_free(ctx)
            throw error
        }
        self.ctx = ctx
    }

    deinit { SSL_CTX_free(ctx) }
}

/// Settings shared by the server and client contexts.
enum TLSContextSetup {
    static func common(_ ctx: OpaquePointer) throws {
        try OpenSSLCall.check(shim_SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION), .tls, "cannot require TLS 1.2")
        // No renegotiation or compression; a peer that closes without close_notify reads as EOF
        // (HTTP framing, not TLS EOF, decides whether a message is complete).
        _ = SSL_CTX_set_options(ctx, shim_SSL_OP_NO_RENEGOTIATION() | shim_SSL_OP_NO_COMPRESSION() | shim_SSL_OP_IGNORE_UNEXPECTED_EOF())
        // Blocking sockets: let SSL_read/SSL_write retry internally after handshake messages.
        _ = shim_SSL_CTX_set_mode(ctx, Int(SSL_MODE_AUTO_RETRY))
    }
}
