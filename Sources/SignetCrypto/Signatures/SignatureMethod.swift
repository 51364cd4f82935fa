/// Signature methods as Notary names them in a TUF signature's `method` field (notary.md §3.8).
///
/// | method | key | encoding |
/// |---|---|---|
/// | `ecdsa` | ecdsa | SHA-256, raw `r‖s` each left-padded to the curve size (64 bytes for P-256) |
/// | `eddsa` | ed25519 | pure Ed25519, 64 bytes |
/// | `rsapss` | rsa | RSASSA-PSS, SHA-256, MGF1-SHA256, salt 32 bytes |
/// | `rsapkcs1v15` | rsa | RSASSA-PKCS1-v1_5 with SHA-256 (verify only, as in Notary) |
/// | `pycrypto-pkcs#1 pss` | rsa | same as `rsapss` (legacy name; verify only, as in Notary) |
public enum SignatureMethod: String, Sendable {
    case ecdsa
    case eddsa
    case rsapss
    case rsapkcs1v15
    case pycryptoPKCS1PSS = "pycrypto-pkcs#1 pss"

    /// Parses a `method` string case-insensitively, as Notary does (`"ECDSA"` → `.ecdsa`).
    /// Returns nil for names Notary does not know (for example `"ed25519"` or `"rsassa-pss-sha256"`).
    public init?(notaryName: String) {
        self.init(rawValue: notaryName.lowercased())
    }

    /// The key family this method verifies with.
    public var keyAlgorithm: KeyAlgorithm {
        switch self {
        case .ecdsa: return .ecdsa
        case .eddsa: return .ed25519
        case .rsapss, .rsapkcs1v15, .pycryptoPKCS1PSS: return .rsa
        }
    }
}

extension KeyAlgorithm {
    /// The method Notary signs with for this key family (notary.md §3.8): ecdsa → `.ecdsa`,
    /// ed25519 → `.eddsa`, rsa → `.rsapss`.
    public var signingMethod: SignatureMethod {
        switch self {
        case .ecdsa: return .ecdsa
        case .ed25519: return .eddsa
        case .rsa: return .rsapss
        }
    }
}
