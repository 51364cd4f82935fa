import FoundationEssentials
import Glibc
internal import COpenSSL

/// One TLS session over a connected socket fd (libssl `SSL`). The caller keeps owning the fd:
/// `shutdown()` sends close_notify but never closes it.
///
/// Three ways to wait: on a blocking fd, OpenSSL blocks inside each call, bounded by the fd's
/// `SO_RCVTIMEO`/`SO_SNDTIMEO`; on a non-blocking fd with a `SocketWait` (the client), every time
/// OpenSSL would block the wait is called, so the caller can enforce one deadline over the handshake
/// and every read and write (a peer dripping one byte at a time cannot extend it); and on a
/// non-blocking fd driven by an event loop (the server), `acceptStep`/`readStep`/`writeStep` return
/// what the fd must become ready for instead of waiting.
///
/// Not for concurrent use: one thread at a time may call `read`/`write`/`shutdown` (the
/// connection's thread, or the event loop that owns the connection). `@unchecked Sendable` so the connection can be handed to the
/// thread that serves it.
public final class TLSConnection: @unchecked Sendable {  // SSL is used by one thread at a time, as documented; freed once in deinit.
    /// What OpenSSL waits for on a non-blocking fd.
    public enum Readiness: Sendable {
        case readable, writable
    }

    /// Called on a non-blocking fd when OpenSSL needs it `Readiness` before it can go on
    /// (`SSL_ERROR_WANT_READ` / `SSL_ERROR_WANT_WRITE`). Returns when the fd is ready (or has an
    /// error, which the retried call then reports); throws to abandon the call (a passed
    /// deadline): that error is rethrown unchanged by the handshake, `read` or `write`.
    public typealias SocketWait = @Sendable (Readiness) throws -> Void

    private let ssl: OpaquePointer
    private let context: AnyObject  // keeps the SSL_CTX alive as long as the SSL
    private let wait: SocketWait?

    private init(ssl: OpaquePointer, fd: Int32, context: AnyObject, wait: SocketWait?) throws {
        // Checked before any stored property is set, so a throw cannot also run deinit.
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            throw CryptoError(.tls, "SSL_set_fd(\(fd)) failed", openSSLErrors: OpenSSLCall.drainErrors())
        }
        self.ssl = ssl
        self.context = context
        self.wait = wait
    }

    /// Runs `call` (an `SSL_*` function returning 1 on success) until it succeeds, waiting through
    /// `wait` whenever it reports WANT_READ/WANT_WRITE. Without a `wait` (blocking fd) it runs once.
    /// - Returns: the last return code and its `SSL_get_error` (`SSL_ERROR_NONE` on success).
    private func retrying(_ call: () -> Int32) throws -> (rc: Int32, error: Int32) {
        while true {
            let rc = call()
            if rc == 1 { return (rc, SSL_ERROR_NONE) }
            let error = SSL_get_error(ssl, rc)
            guard let wait, error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE else { return (rc, error) }
            OpenSSLCall.clearErrors()
            try wait(error == SSL_ERROR_WANT_READ ? .readable : .writable)
        }
    }

    deinit { SSL_free(ssl) }

    /// Runs the server handshake (`SSL_accept`) on `fd`, blocking. The caller sets `SO_RCVTIMEO`
    /// so a stalled handshake fails instead of hanging.
    /// - Throws: `CryptoError(.tls)` with OpenSSL's reason (protocol error, no shared cipher,
    ///   client certificate missing or not verifying, timeout, peer closed).
    public convenience init(accepting fd: Int32, context: TLSServerContext) throws {
        let ssl = try OpenSSLCall.check(SSL_new(context.ctx), .tls, "SSL_new failed")
        try self.init(ssl: ssl, fd: fd, context: context, wait: nil)
        let rc = SSL_accept(ssl)
        if rc != 1 { throw failure(rc, "TLS handshake with client failed") }
    }

    /// What a non-blocking step achieved (`acceptStep`, `readStep`, `writeStep`): `done` with a byte
    /// count (0 for the handshake), or what the fd must become before the same call is repeated
    /// (`SSL_ERROR_WANT_READ` / `SSL_ERROR_WANT_WRITE`), or `closed` at end of stream (reads only).
    public enum Step: Sendable, Equatable {
        case done(Int)
        case wantRead
        case wantWrite
        case closed
    }

    /// Prepares a server session on a non-blocking `fd` for an event loop: nothing is sent or read
    /// until `acceptStep()`. Writes may complete partially and be retried from a moved buffer. The
    /// session's record buffers (about 34 KiB together) are freed whenever they are empty
    /// (`SSL_MODE_RELEASE_BUFFERS`, as nginx sets), so an idle keep-alive connection costs the
    /// session state only, not its buffers.
    /// - Throws: `CryptoError(.tls)` when OpenSSL cannot create the session.
    public convenience init(acceptingNonBlocking fd: Int32, context: TLSServerContext) throws {
        let ssl = try OpenSSLCall.check(SSL_new(context.ctx), .tls, "SSL_new failed")
        try self.init(ssl: ssl, fd: fd, context: context, wait: nil)
        SSL_set_accept_state(ssl)
        _ = shim_SSL_set_mode(ssl, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
    }

    /// Advances the server handshake (`SSL_do_handshake`) as far as the bytes received allow.
    /// - Throws: `CryptoError(.tls)` with OpenSSL's reason (protocol error, no shared cipher, client
    ///   certificate missing or not verifying, peer closed).
    public func acceptStep() throws -> Step {
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .done(0) }
        if let wait = pending(rc) { return wait }
        throw failure(rc, "TLS handshake with client failed")
    }

    /// Reads up to `buffer.count` decrypted bytes without blocking.
    /// - Throws: `CryptoError(.tls)` on a protocol or socket error.
    package func readStep(into buffer: UnsafeMutableRawBufferPointer) throws -> Step {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .done(0) }
        var readBytes = 0
        let rc = SSL_read_ex(ssl, base, buffer.count, &readBytes)
        if rc == 1 { return .done(readBytes) }
        let error = SSL_get_error(ssl, rc)
        if error == SSL_ERROR_ZERO_RETURN { OpenSSLCall.clearErrors(); return .closed }
        if let wait = pending(rc, error) { return wait }
        throw failure(rc, "TLS read failed", sslError: error)
    }

    /// Writes a prefix of `bytes` without blocking; `done(n)` with the count written.
    /// - Throws: `CryptoError(.tls)` if the peer closed the connection or on a socket error.
    package func writeStep(_ bytes: UnsafeRawBufferPointer) throws -> Step {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .done(0) }
        var written = 0
        let rc = SSL_write_ex(ssl, base, bytes.count, &written)
        if rc == 1 { return .done(written) }
        if let wait = pending(rc) { return wait }
        throw failure(rc, "TLS write failed")
    }

    /// `.wantRead` / `.wantWrite` when the failed call only has to wait for the fd (errors cleared).
    private func pending(_ rc: Int32, _ known: Int32? = nil) -> Step? {
        switch known ?? SSL_get_error(ssl, rc) {
        case SSL_ERROR_WANT_READ: OpenSSLCall.clearErrors(); return .wantRead
        case SSL_ERROR_WANT_WRITE: OpenSSLCall.clearErrors(); return .wantWrite
        default: return nil
        }
    }

    /// Runs the client handshake (`SSL_connect`) on `fd` and verifies the server
    /// certificate for `hostname`: a DNS name is sent as SNI and matched against the certificate's
    /// DNS names (`SSL_set1_host`); an IPv4/IPv6 literal is not sent as SNI (RFC 6066 §3) and is
    /// matched against IP SANs (`X509_VERIFY_PARAM_set1_ip_asc`).
    /// - Throws: `CryptoError(.tls)` with OpenSSL's reason, including the certificate verification
    ///   error (for example "unable to get local issuer certificate", "hostname mismatch"); or
    ///   whatever `wait` throws.
    /// - Parameter wait: nil for a blocking `fd`; for a non-blocking one, how to wait for it (see
    ///   `SocketWait`). It is kept for this connection's `read` and `write`.
    public convenience init(connecting fd: Int32, context: TLSClientContext, hostname: String, wait: SocketWait? = nil) throws {
        let ssl = try OpenSSLCall.check(SSL_new(context.ctx), .tls, "SSL_new failed")
        try self.init(ssl: ssl, fd: fd, context: context, wait: wait)
        let host = hostname.hasPrefix("[") && hostname.hasSuffix("]") ? String(hostname.dropFirst().dropLast()) : hostname
        if Self.isIPLiteral(host) {
            try OpenSSLCall.check(X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host), .tls, "invalid IP address \(host)")
        } else {
            try OpenSSLCall.check(shim_SSL_set_tlsext_host_name(ssl, host), .tls, "cannot set SNI name \(host)")
            try OpenSSLCall.check(SSL_set1_host(ssl, host), .tls, "cannot set verification hostname \(host)")
        }
        let (rc, error) = try retrying { SSL_connect(ssl) }
        if rc != 1 {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK {
                let reason = String(cString: X509_verify_cert_error_string(verify))
                OpenSSLCall.clearErrors()
                throw CryptoError(.tls, "TLS server certificate for \(host) rejected: \(reason)")
            }
            throw failure(rc, "TLS handshake with \(host) failed", sslError: error)
        }
    }

    /// Reads up to `buffer.count` decrypted bytes, blocking (or waiting through the connection's
    /// `wait`). Returns the count read, or 0 at end of stream (close_notify, or the peer closing
    /// the socket without one — HTTP framing must decide completeness).
    /// - Throws: `CryptoError(.tls)` on a protocol error, a socket error, or a receive timeout;
    ///   whatever `wait` throws.
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var readBytes = 0
        let (rc, error) = try retrying { SSL_read_ex(ssl, base, buffer.count, &readBytes) }
        if rc == 1 { return readBytes }
        if error == SSL_ERROR_ZERO_RETURN { OpenSSLCall.clearErrors(); return 0 }
        throw failure(rc, "TLS read failed", sslError: error)
    }

    /// Writes all of `bytes`, blocking (or waiting through the connection's `wait`) until done.
    /// - Throws: `CryptoError(.tls)` if the peer closed the connection, on a socket error or send
    ///   timeout; whatever `wait` throws.
    package func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var cursor = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            var written = 0
            // A retry after WANT_WRITE passes the same pointer and length, as SSL_write requires.
            let (rc, error) = try retrying { SSL_write_ex(ssl, cursor, remaining, &written) }
            guard rc == 1 else { throw failure(rc, "TLS write failed", sslError: error) }
            cursor += written
            remaining -= written
        }
    }

    /// Sends close_notify (best effort; does not wait for the peer's). Does not close the fd.
    public func shutdown() {
        _ = SSL_shutdown(ssl)
        OpenSSLCall.clearErrors()
    }

    /// The certificate the peer presented (the client's with mTLS, the server's on the client
    /// side), or nil if none was sent. Verified during the handshake when a CA was configured.
    /// Also nil if its public key is of a type `PublicKey` does not support (for example P-224),
    /// so treat nil as "not authenticated".
    public var peerCertificate: Certificate? {
        guard let x509 = SSL_get1_peer_certificate(ssl) else { return nil }
        return try? Certificate(owning: x509)
    }

    /// The negotiated protocol: `"TLSv1.3"` or `"TLSv1.2"`.
    public var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    private func failure(_ rc: Int32, _ what: String, sslError: Int32? = nil) -> CryptoError {
        let error = sslError ?? SSL_get_error(ssl, rc)
        let systemErrno = errno
        var openSSLErrors = OpenSSLCall.drainErrors()
        var reason: String
        switch error {
        case SSL_ERROR_ZERO_RETURN: reason = "peer closed the TLS connection"
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: reason = "timed out"
        case SSL_ERROR_SYSCALL:
            if systemErrno == EAGAIN || systemErrno == EWOULDBLOCK {
                reason = "timed out"
            } else if systemErrno != 0 {
                reason = String(cString: strerror(systemErrno))
            } else {
                reason = "peer closed the connection"
            }
        default:
            reason = "protocol error"
            if openSSLErrors.isEmpty { openSSLErrors = ["SSL_get_error \(error)"] }
        }
        return CryptoError(.tls, "\(what): \(reason)", openSSLErrors: openSSLErrors)
    }

    private static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }
}
