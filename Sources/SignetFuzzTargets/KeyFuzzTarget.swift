import SignetCrypto

/// PEM blocks, private keys in every format Notary reads (PKCS#8 plain and encrypted, SEC1, PKCS#1,
/// Notary's Ed25519, OpenSSL's legacy `Proc-Type: 4,ENCRYPTED`), SPKI public keys and X.509
/// certificates. Encrypted keys are tried with the fixed passphrase `passphrase`; the seed corpus
/// holds keys encrypted with it (and with a low iteration count, so each run stays fast).
///
/// The input is read twice: as PEM text and as raw DER (certificate, PKCS#8, encrypted PKCS#8, SPKI).
///
/// Properties:
/// - a parsed PEM block re-encodes to text that parses to the same type, DER and headers;
/// - a parsed private key exports PKCS#8 that parses to a key with the same public key;
/// - a parsed public key's SPKI and a parsed certificate's DER parse back to equal objects.
public enum KeyFuzzTarget {
    /// The passphrase every encrypted key is tried with.
    public static let passphrase = "fuzz-passphrase"

    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        if let blocks = try? PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)) {
            for block in blocks.prefix(4) {
                // encoded() orders headers as Go's pem.Encode does, so compare type, DER and that layout.
                let again = try? PEMBlock.parseAll(block.encoded())
                guard let again, again.count == 1, again[0].type == block.type, again[0].der == block.der,
                      again[0].encoded() == block.encoded() else {
                    throw FuzzPropertyViolation(.keys, "a \(block.type) PEM block does not survive encoded() → parseAll")
                }
                switch block.type {
                case "CERTIFICATE": try certificate(block.der)
                case "PUBLIC KEY": try publicKey(block.der)
                default: try privateKey(block)
                }
            }
        }
        _ = try? Certificate.parsePEMBundle(bytes)
        try certificate(bytes)
        try publicKey(bytes)
        try privateKey(PEMBlock(type: "PRIVATE KEY", der: bytes))
        try privateKey(PEMBlock(type: "ENCRYPTED PRIVATE KEY", der: bytes))
    }

    private static func privateKey(_ block: PEMBlock) throws(FuzzPropertyViolation) {
        guard let key = try? PrivateKey(pemBlock: block, passphrase: passphrase) else { return }
        guard let der = try? key.pkcs8DER() else {
            throw FuzzPropertyViolation(.keys, "a parsed \(block.type) does not export PKCS#8")
        }
        guard let again = try? PrivateKey(derPKCS8: der), again.publicKey == key.publicKey else {
            throw FuzzPropertyViolation(.keys, "a parsed \(block.type) exports PKCS#8 that does not parse to the same key")
        }
        _ = key.publicKey.pem()
    }

    private static func publicKey(_ der: [UInt8]) throws(FuzzPropertyViolation) {
        guard let key = try? PublicKey(spkiDER: der) else { return }
        guard (try? PublicKey(spkiDER: key.spkiDER)) == key else {
            throw FuzzPropertyViolation(.keys, "a parsed SPKI public key does not round-trip")
        }
        guard (try? PublicKey(pem: key.pem())) == key else {
            throw FuzzPropertyViolation(.keys, "a parsed public key's PEM does not parse to the same key")
        }
    }

    private static func certificate(_ der: [UInt8]) throws(FuzzPropertyViolation) {
        guard let certificate = try? Certificate(der: der) else { return }
        guard (try? Certificate(der: certificate.der)) == certificate else {
            throw FuzzPropertyViolation(.keys, "a parsed certificate does not round-trip through its DER")
        }
        _ = certificate.commonName
        _ = certificate.subjectDescription
        _ = certificate.issuerDescription
        _ = certificate.isCA
        _ = certificate.usesSHA1Signature
    }
}
