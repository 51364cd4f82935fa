import FoundationEssentials
internal import COpenSSL

/// An X.509 certificate (RFC 5280), as Notary uses them for `ecdsa-x509`/`rsa-x509` root keys and
/// as TLS peers present them.
///
/// Immutable; safe to share between threads. Two certificates are equal when their DER is equal.
public final class Certificate: @unchecked Sendable, Equatable {  // X509 is never mutated after parsing; its lazy extension cache is locked inside OpenSSL.
    let x509: OpaquePointer
    /// The DER encoding (the exact bytes parsed).
    public let der: [UInt8]
    /// The subject public key.
    public let publicKey: PublicKey
    /// Start of the validity period (RFC 5280 §4.1.2.5).
    public let notBefore: Date
    /// End of the validity period, inclusive (RFC 5280 §4.1.2.5).
    public let notAfter: Date

    /// Takes ownership of one reference to `x509` (freed in deinit, also when this init throws).
    init(owning x509: OpaquePointer) throws {
        // All checks run before any stored property is set: a throw after full initialisation
        // would also run deinit and free `x509` twice.
        let der: [UInt8], publicKey: PublicKey, notBefore: Date, notAfter: Date
        do {
            der = try DERBuffer.encode("i2d_X509 failed") { i2d_X509(x509, $0) }
            let pkey = try OpenSSLCall.check(X509_get_pubkey(x509), .certificate, "certificate has no readable public key")
            // The certificate's SubjectPublicKeyInfo as parsed (an ASN.1 re-encoding of the parsed
            // algorithm and bit string, no key encoder), so that a canonical key is not re-encoded.
            let parsedSPKI = try? DERBuffer.encode("i2d_X509_PUBKEY failed") { i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x509), $0) }
            publicKey = try PublicKey(owning: pkey, parsedFrom: parsedSPKI)
            notBefore = try Self.date(X509_get0_notBefore(x509), "notBefore")
            notAfter = try Self.date(X509_get0_notAfter(x509), "notAfter")
        } catch {
            X509_free(x509)
            throw error
        }
        self.x509 = x509
        self.der = der
        self.publicKey = publicKey
        self.notBefore = notBefore
        self.notAfter = notAfter
    }

    deinit { X509_free(x509) }

    /// Parses one DER certificate.
    /// - Throws: `CryptoError(.certificate)` if the bytes are not exactly one certificate;
    ///   `.unsupportedKey` if its public key is not ECDSA (P-256/384/521), Ed25519 or RSA.
    public convenience init(der: [UInt8]) throws {
        let x509 = try DERBuffer.decode(der, .certificate, "not a DER X.509 certificate") { cursor, length -> OpaquePointer? in
            let start = cursor.pointee
            guard let cert = d2i_X509(nil, cursor, length) else { return nil }
            if let start, let end = cursor.pointee, end - start != length { X509_free(cert); return nil }
            return cert
        }
        try self.init(owning: x509)
    }

    /// Parses every `CERTIFICATE` block of a PEM bundle, in order (leaf first in Notary's
    /// `*-x509` keys, whose `keyval.public` base64-decodes to this text). Other blocks are ignored.
    /// - Throws: `CryptoError(.certificate)` if there is no certificate or one does not parse.
    public static func parsePEMBundle(_ pem: [UInt8]) throws -> [Certificate] {
        let blocks: [PEMBlock]
        do {
            blocks = try PEMBlock.parseAll(String(decoding: pem, as: UTF8.self))
        } catch let error as CryptoError {
            throw CryptoError(.certificate, "malformed certificate PEM: \(error.message)")
        }
        let certificates = try blocks.filter { $0.type == "CERTIFICATE" }.map { try Certificate(der: $0.der) }
        guard !certificates.isEmpty else { throw CryptoError(.certificate, "no CERTIFICATE block in PEM") }
        return certificates
    }

    /// The certificate as a `CERTIFICATE` PEM block (RFC 7468), trailing newline.
    public func pem() -> String { PEMBlock(type: "CERTIFICATE", der: der).encoded() }

    /// The first subject commonName (UTF-8), or nil if there is none. Notary requires it to equal the GUN.
    public var commonName: String? {
        guard let name = X509_get_subject_name(x509) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, NID_commonName, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry) else { return nil }
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&out, data)
        guard length >= 0, let out else { OpenSSLCall.clearErrors(); return nil }
        defer { shim_OPENSSL_free(out) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }

    /// The subject as one line in RFC 2253 order and escaping (most specific first, for example
    /// `CN=client,O=Example`), with non-ASCII left as UTF-8. For logs and mTLS identity mapping.
    public var subjectDescription: String { Self.describe(X509_get_subject_name(x509)) }

    /// The issuer in the same form as `subjectDescription`.
    public var issuerDescription: String { Self.describe(X509_get_issuer_name(x509)) }

    /// True iff BasicConstraints says cA = TRUE (RFC 5280 §4.2.1.9).
    public var isCA: Bool { X509_get_extension_flags(x509) & UInt32(EXFLAG_CA) != 0 }

    /// True iff the certificate's own signature uses SHA-1 (Notary rejects such root certificates, §3.10).
    public var usesSHA1Signature: Bool {
        var digestNID: Int32 = 0
        var keyNID: Int32 = 0
        guard OBJ_find_sigid_algs(X509_get_signature_nid(x509), &digestNID, &keyNID) == 1 else { return false }
        return digestNID == NID_sha1
    }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }

    private static func describe(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        let bytes = (try? MemoryBIO.collect { bio in
            _ = X509_NAME_print_ex(bio, name, 0, shim_XN_FLAG_RFC2253_UTF8())
        }) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func date(_ time: UnsafePointer<ASN1_TIME>?, _ field: String) throws -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else {
            throw CryptoError(.certificate, "certificate has an unreadable \(field)", openSSLErrors: OpenSSLCall.drainErrors())
        }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
