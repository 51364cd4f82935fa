import SignetCrypto

/// A public key as TUF metadata lists it: `{"keytype":T,"keyval":{"private":null,"public":"<base64>"}}`
/// (reference §3.9).
///
/// `public` is base64 of: DER SubjectPublicKeyInfo for `ecdsa` and `rsa`; the raw 32 bytes for
/// `ed25519`; the PEM text of a certificate bundle (leaf first) for `ecdsa-x509` and `rsa-x509`.
/// The base64 text is kept as received, since the key ID is a hash over it.
public struct TUFKey: Sendable, Equatable {
    /// `ecdsa`, `ecdsa-x509`, `rsa`, `rsa-x509` or `ed25519`.
    public let keyType: String
    /// `keyval.public` exactly as written.
    public let publicBase64: String
    /// Lowercase hex SHA-256 of `{"keytype":T,"keyval":{"private":null,"public":P}}`.
    public let id: String
    /// The decoded material, parsed on first use and shared by copies of this key.
    private let cache = KeyMaterialCache()

    public static let supportedTypes: Set<String> = ["ecdsa", "ecdsa-x509", "rsa", "rsa-x509", "ed25519"]

    /// A key from its type and base64 public value; computes the key ID.
    public init(keyType: String, publicBase64: String) {
        self.keyType = keyType
        self.publicBase64 = publicBase64
        let json = TUFKey.json(keyType: keyType, publicBase64: publicBase64)
        self.id = Hex.encode(Digest.sha256((try? CanonicalJSON.encode(json)) ?? []))
    }

    /// The TUF key for a plain public key (`ecdsa`, `rsa` as SPKI; `ed25519` as raw bytes).
    public init(publicKey: PublicKey) {
        switch publicKey.algorithm {
        case .ed25519: self.init(keyType: "ed25519", publicBase64: Base64.encode(publicKey.rawEd25519 ?? []))
        case .ecdsa: self.init(keyType: "ecdsa", publicBase64: Base64.encode(publicKey.spkiDER))
        case .rsa: self.init(keyType: "rsa", publicBase64: Base64.encode(publicKey.spkiDER))
        }
    }

    /// The TUF key for a certificate (`ecdsa-x509` / `rsa-x509`; public = base64 of its PEM).
    public init(certificate: Certificate) throws {
        let type: String
        switch certificate.publicKey.algorithm {
        case .ecdsa: type = "ecdsa-x509"
        case .rsa: type = "rsa-x509"
        case .ed25519: throw TUFError(.badKey, "Notary has no x509 key type for Ed25519 certificates")
        }
        self.init(keyType: type, publicBase64: Base64.encode(Array(certificate.pem().utf8)))
    }

    /// Parses `{"keytype":…,"keyval":{"public":…}}`. Throws `TUFError(.malformed)` for a wrong shape.
    public init(json value: JSONValue, context: String, role: String?) throws {
        let fields = try JSONFields(value, context: context, role: role)
        let keyType = try fields.string("keytype")
        let keyval = try JSONFields(.object(try fields.object("keyval")), context: "\(context) keyval", role: role)
        let publicBase64 = try keyval.string("public")
        self.init(keyType: keyType, publicBase64: publicBase64)
    }

    /// The key's JSON form, with `"private":null`.
    public var json: JSONValue { TUFKey.json(keyType: keyType, publicBase64: publicBase64) }

    private static func json(keyType: String, publicBase64: String) -> JSONValue {
        .object(["keytype": .string(keyType), "keyval": .object(["private": .null, "public": .string(publicBase64)])])
    }

    public var isX509: Bool { keyType.hasSuffix("-x509") }

    /// The key's decoded material — verifying key, leaf certificate, canonical key ID — parsed
    /// once and shared by every rule that looks at the key (see `KeyMaterial`).
    /// - Throws: `TUFError(.badKey)` when the key does not decode or an x509 bundle does not have
    ///   Notary's shape (leaf first, only CA certificates after it).
    public func material() throws -> KeyMaterial { try cache.material(of: self) }

    /// The leaf certificate of an x509 key: the first certificate of its bundle.
    /// Throws `TUFError(.badKey)` for other key types or a bundle `KeyMaterial` refuses.
    public func leafCertificate() throws -> Certificate {
        guard isX509 else { throw TUFError(.badKey, "key \(id) is \(keyType), not a certificate") }
        guard let certificate = try material().certificate else { throw TUFError(.badKey, "key \(id): no certificate") }
        return certificate
    }

    /// The verifying key: the leaf's key for x509 keys, else the decoded public value.
    /// Throws `TUFError(.badKey)` for unknown key types, bytes that do not decode, or a key whose
    /// algorithm is not the declared `keytype`.
    public func publicKey() throws -> PublicKey { try material().publicKey }

    /// Notary's canonical key ID: for x509 keys the ID of the plain key of the leaf certificate's
    /// public key (`ecdsa`/`rsa` SPKI), which names the private key file; for others `id`.
    public func canonicalID() throws -> String { try material().canonicalID }

    public static func == (lhs: TUFKey, rhs: TUFKey) -> Bool {
        lhs.keyType == rhs.keyType && lhs.publicBase64 == rhs.publicBase64
    }
}
