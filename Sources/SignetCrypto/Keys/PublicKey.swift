import FoundationEssentials
internal import COpenSSL

/// A public key Notary can list in TUF metadata: ECDSA (P-256; P-384/P-521 accepted), Ed25519 or
/// RSA (≥ 2048 bits to verify).
///
/// Immutable; safe to share between threads. Two keys are equal when their identities are equal
/// (`KeyIdentity`: the key in its one canonical form). Only canonically encoded keys parse, so
/// `spkiDER` is that canonical form too.
public final class PublicKey: @unchecked Sendable, Equatable {  // EVP_PKEY is never mutated after init; OpenSSL refcounts atomically.
    let pkey: OpaquePointer
    /// The key family.
    public let algorithm: KeyAlgorithm
    /// DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7): 91 bytes for P-256, 44 for Ed25519.
    /// This is what Notary base64-encodes as `keyval.public` for `ecdsa` and `rsa` keys.
    /// Always equal to `identity.canonicalSPKI`.
    public let spkiDER: [UInt8]
    /// The key's identity: what thresholds count and pins compare (see `KeyIdentity`).
    public let identity: KeyIdentity
    /// Key size in bits: the curve size for ECDSA (256), 256 for Ed25519, the modulus size for RSA.
    public let bits: Int
    /// For ECDSA, the byte length of one signature half (32 for P-256); 0 otherwise.
    let ecFieldBytes: Int
    /// Reusable ECDSA verify contexts; each holds its own reference to `pkey`.
    let verifyContexts: PKeyContextPool

    /// Takes ownership of one reference to `pkey` (freed in deinit, also when this init throws).
    /// - Parameter parsedFrom: the SubjectPublicKeyInfo bytes `pkey` was decoded from, when the
    ///   caller has them. When they already are the canonical form (`KeyIdentity`), they are the
    ///   key's `spkiDER` and OpenSSL's re-encoding (`i2d_PUBKEY`, an `OSSL_ENCODER` set-up per
    ///   call in OpenSSL 3.0: 4% of a warm `signet list`'s CPU) is skipped: a canonical input
    ///   re-encodes to itself. Otherwise the re-encoding is made and judged as without them, so
    ///   the keys refused and the messages stay the same.
    init(owning pkey: OpaquePointer, parsedFrom: [UInt8]? = nil) throws {
        // All checks run before any stored property is set: a throw after full initialisation
        // would also run deinit and free `pkey` twice.
        let classified: (KeyAlgorithm, Int)
        let spki: [UInt8]
        let identity: KeyIdentity
        do {
            classified = try Self.classify(pkey)
            identity = try KeyIdentity(pkey, algorithm: classified.0, ecFieldBytes: classified.1)
            if let parsedFrom, parsedFrom == identity.canonicalSPKI {
                spki = parsedFrom
            } else {
                spki = try DERBuffer.encode("i2d_PUBKEY failed") { i2d_PUBKEY(pkey, $0) }
                guard spki == identity.canonicalSPKI else {
                    throw CryptoError(.malformedKey, Self.nonCanonicalReason(pkey, algorithm: classified.0))
                }
            }
        } catch {
            EVP_PKEY_free(pkey)
            throw error
        }
        self.pkey = pkey
        self.algorithm = classified.0
        self.ecFieldBytes = classified.1
        self.bits = Int(EVP_PKEY_get_bits(pkey))
        self.spkiDER = spki
        self.identity = identity
        self.verifyContexts = PKeyContextPool.ecdsa(PKeyReference(raw: pkey), sign: false)
    }

    deinit { EVP_PKEY_free(pkey) }

    /// Parses a DER SubjectPublicKeyInfo (ECDSA, RSA or Ed25519 per RFC 8410) in its canonical
    /// form (`KeyIdentity`), the only form Notary's Go parser accepts.
    /// - Throws: `CryptoError(.malformedKey)` if the bytes are not an SPKI (or have trailing bytes),
    ///   or encode the key in any other form: compressed or hybrid EC point, explicit curve
    ///   parameters, RSA without NULL parameters, non-minimal DER; `.unsupportedKey` for other key
    ///   types or curves.
    public convenience init(spkiDER: [UInt8]) throws {
        let pkey = try DERBuffer.decode(spkiDER, .malformedKey, "not a DER SubjectPublicKeyInfo") { cursor, length -> OpaquePointer? in
            let start = cursor.pointee
            guard let key = d2i_PUBKEY(nil, cursor, length) else { return nil }
            if let start, let end = cursor.pointee, end - start != length {
                EVP_PKEY_free(key)
                return nil
            }
            return key
        }
        try self.init(owning: pkey, parsedFrom: spkiDER)
        guard self.spkiDER == spkiDER else {
            throw CryptoError(.malformedKey, "\(algorithm.rawValue) SubjectPublicKeyInfo is not in canonical DER form (re-encoding gives other bytes)")
        }
    }

    /// Builds an Ed25519 key from its 32 raw bytes (RFC 8032 §5.1.5), which is how Notary stores
    /// `keyval.public` for `ed25519` keys.
    /// - Throws: `CryptoError(.malformedKey)` unless `ed25519Raw` is exactly 32 bytes.
    public convenience init(ed25519Raw: [UInt8]) throws {
        guard ed25519Raw.count == 32 else {
            throw CryptoError(.malformedKey, "Ed25519 public key must be 32 bytes, got \(ed25519Raw.count)")
        }
        let pkey = try OpenSSLCall.check(
            ed25519Raw.withUnsafeBufferPointer { EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) },
            .malformedKey, "invalid Ed25519 public key")
        // RFC 8410 §4: SEQUENCE { SEQUENCE { id-Ed25519 }, BIT STRING { 0 unused bits, the 32 bytes } }.
        let spki: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + ed25519Raw
        try self.init(owning: pkey, parsedFrom: spki)
    }

    /// Parses the first `PUBLIC KEY` PEM block in `pem` (RFC 7468 §13); other blocks are skipped.
    /// - Throws: `CryptoError(.malformedKey)` if there is no such block or its DER is not an SPKI.
    public convenience init(pem: String) throws {
        guard let block = try PEMBlock.parseAll(pem).first(where: { $0.type == "PUBLIC KEY" }) else {
            throw CryptoError(.malformedKey, "no PUBLIC KEY PEM block found")
        }
        try self.init(spkiDER: block.der)
    }

    /// The 32 raw public-key bytes for Ed25519 keys (Notary's `keyval.public`), nil for other keys.
    public var rawEd25519: [UInt8]? {
        guard algorithm == .ed25519 else { return nil }
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        let rc = out.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pkey, $0.baseAddress, &length) }
        guard rc == 1, length == 32 else { OpenSSLCall.clearErrors(); return nil }
        return out
    }

    /// The key as a `PUBLIC KEY` PEM block (RFC 7468), 64-column base64, trailing newline.
    public func pem() -> String {
        PEMBlock(type: "PUBLIC KEY", der: spkiDER).encoded()
    }

    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.identity == rhs.identity
    }

    /// Why a key whose re-encoding is not its canonical form was refused, for the error message.
    private static func nonCanonicalReason(_ pkey: OpaquePointer, algorithm: KeyAlgorithm) -> String {
        guard algorithm == .ecdsa else {
            return "\(algorithm.rawValue) public key is not in canonical form"
        }
        func parameter(_ name: String) -> String? {
            var text = [CChar](repeating: 0, count: 32)
            var length = 0
            guard EVP_PKEY_get_utf8_string_param(pkey, name, &text, text.count, &length) == 1 else { OpenSSLCall.clearErrors(); return nil }
            return String(decoding: text.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        var found: [String] = []
        if let encoding = parameter("encoding"), encoding != "named_curve" { found.append("\(encoding) curve parameters") }
        if let form = parameter("point-format"), form != "uncompressed" { found.append("\(form) point") }
        let detail = found.isEmpty ? "" : " (\(found.joined(separator: ", ")))"
        return "EC public key is not in canonical form\(detail): a named curve and an uncompressed point are required, as Notary requires"
    }

    /// Determines the key family and, for ECDSA, the signature half size; rejects other types.
    private static func classify(_ pkey: OpaquePointer) throws -> (KeyAlgorithm, Int) {
        switch EVP_PKEY_get_base_id(pkey) {
        case EVP_PKEY_ED25519:
            return (.ed25519, 0)
        case EVP_PKEY_RSA:
            return (.rsa, 0)
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else {
                throw CryptoError(.unsupportedKey, "EC key without a named curve", openSSLErrors: OpenSSLCall.drainErrors())
            }
            let curve = String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch curve {
            case "prime256v1", "P-256": return (.ecdsa, 32)
            case "secp384r1", "P-384": return (.ecdsa, 48)
            case "secp521r1", "P-521": return (.ecdsa, 66)
            default: throw CryptoError(.unsupportedKey, "unsupported EC curve \(curve)")
            }
        default:
            throw CryptoError(.unsupportedKey, "unsupported key type (OpenSSL id \(EVP_PKEY_get_base_id(pkey)))")
        }
    }
}
