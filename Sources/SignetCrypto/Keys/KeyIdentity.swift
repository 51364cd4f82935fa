import FoundationEssentials
internal import COpenSSL

/// The identity of a public key: the key in its one canonical form, so that one key has one
/// identity however it was encoded. Thresholds count distinct identities (DESIGN.md security
/// rules: "distinct key material in one canonical form"), and pins compare identities.
///
/// The canonical form is a DER SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) rebuilt from the key's
/// numbers, never OpenSSL's re-encoding of the input (which keeps the input's point format and
/// curve-parameter encoding):
/// - ECDSA: `id-ecPublicKey` with the named-curve OID (RFC 5480 §2.1.1: P-256, P-384, P-521) and
///   the uncompressed point `04 ‖ X ‖ Y`, each coordinate padded to the field size (SEC 1 §2.3.3);
/// - RSA: `rsaEncryption` with NULL parameters and `RSAPublicKey { modulus, publicExponent }`
///   as minimal DER integers (RFC 8017 §A.1.1);
/// - Ed25519: `id-Ed25519` without parameters and the 32 public-key bytes (RFC 8410 §4).
///
/// `PublicKey` refuses, at parse time, every input whose encoding is not this form (compressed,
/// hybrid or explicit-parameter EC keys, BER lengths, RSA without NULL parameters), so for every
/// parsed key `identity.canonicalSPKI == spkiDER`. Refusing rather than normalising matches
/// Notary: Go's `crypto/x509` (`ParsePKIXPublicKey`, `ParseCertificate`) accepts only named
/// curves with uncompressed points and RSA with NULL parameters, so no metadata a Notary client
/// accepts is refused here, and no key a Notary client refuses is counted here.
public struct KeyIdentity: Hashable, Sendable {
    /// The canonical DER SubjectPublicKeyInfo (91 bytes for P-256, 44 for Ed25519).
    public let canonicalSPKI: [UInt8]

    /// Builds the identity of `pkey` from its numbers.
    /// - Parameters:
    ///   - algorithm: the key family, as `PublicKey.classify` found it.
    ///   - ecFieldBytes: for ECDSA, the coordinate size in bytes (32, 48 or 66); ignored otherwise.
    /// - Throws: `CryptoError(.malformedKey)` if OpenSSL cannot give the key's numbers.
    init(_ pkey: OpaquePointer, algorithm: KeyAlgorithm, ecFieldBytes: Int) throws {
        let algorithmIdentifier: [UInt8]
        let keyBits: [UInt8]
        switch algorithm {
        case .ecdsa:
            let curve: String
            switch ecFieldBytes {
            case 32: curve = "1.2.840.10045.3.1.7"  // prime256v1 / P-256
            case 48: curve = "1.3.132.0.34"  // secp384r1 / P-384
            case 66: curve = "1.3.132.0.35"  // secp521r1 / P-521
            default: throw CryptoError(.unsupportedKey, "EC field of \(ecFieldBytes) bytes has no supported named curve")
            }
            algorithmIdentifier = DERWriter.sequence(DERWriter.objectIdentifier("1.2.840.10045.2.1") + DERWriter.objectIdentifier(curve))
            keyBits = [0x04] + (try Self.number(pkey, "qx", padded: ecFieldBytes)) + (try Self.number(pkey, "qy", padded: ecFieldBytes))
        case .rsa:
            algorithmIdentifier = DERWriter.sequence(DERWriter.objectIdentifier("1.2.840.113549.1.1.1") + [0x05, 0x00])
            keyBits = DERWriter.sequence(DERWriter.unsignedInteger(try Self.number(pkey, "n", padded: nil))
                                         + DERWriter.unsignedInteger(try Self.number(pkey, "e", padded: nil)))
        case .ed25519:
            var raw = [UInt8](repeating: 0, count: 32)
            var length = 32
            let rc = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pkey, $0.baseAddress, &length) }
            guard rc == 1, length == 32 else {
                throw CryptoError(.malformedKey, "cannot read the Ed25519 public key bytes", openSSLErrors: OpenSSLCall.drainErrors())
            }
            algorithmIdentifier = DERWriter.sequence(DERWriter.objectIdentifier("1.3.101.112"))
            keyBits = raw
        }
        canonicalSPKI = DERWriter.sequence(algorithmIdentifier + DERWriter.tlv(0x03, [0x00] + keyBits))
    }

    /// One big-endian number of the key (OpenSSL provider parameter `name`), left-padded with
    /// zeros to `padded` bytes, or minimal when `padded` is nil.
    private static func number(_ pkey: OpaquePointer, _ name: String, padded: Int?) throws -> [UInt8] {
        var bn: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pkey, name, &bn) == 1, let bn else {
            throw CryptoError(.malformedKey, "cannot read the public key's \(name)", openSSLErrors: OpenSSLCall.drainErrors())
        }
        defer { BN_free(bn) }
        let minimal = (Int(BN_num_bits(bn)) + 7) / 8
        let size = padded ?? minimal
        guard minimal <= size, size <= 2048 else { throw CryptoError(.malformedKey, "public key \(name) of \(minimal) bytes is out of range") }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBufferPointer { BN_bn2binpad(bn, $0.baseAddress, Int32(size)) }
        guard written == Int32(size) else {
            throw CryptoError(.malformedKey, "cannot encode the public key's \(name)", openSSLErrors: OpenSSLCall.drainErrors())
        }
        return out
    }
}
