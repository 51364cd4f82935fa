import SignetCrypto
import Synchronization

/// A public key as TUF 1.0 metadata lists it: `{"keytype": T, "scheme": S, "keyval": {"public": P}}`
/// plus any other members (TUF 1.0 §4.2, §4.3).
///
/// Its key ID is the hex SHA-256 of the canonical JSON of the key object *as received*, unknown
/// members included (§4.2: "KEYID … the hexdigest of the SHA-256 hash of the canonical form of the
/// key"); the object that lists a key under another ID is refused (`TUF1Keys`), so the identity a
/// threshold counts and the key that verifies come from this one parsed object.
///
/// Supported (keytype / scheme / `keyval.public`), as the spec and securesystemslib define them:
/// - `ed25519` / `ed25519` / 64 hex digits of the raw key;
/// - `ecdsa` or `ecdsa-sha2-nistp256` / `ecdsa-sha2-nistp256` / PEM `PUBLIC KEY` (P-256);
/// - `rsa` / `rsassa-pss-sha256` or `rsa-pkcs1v15-sha256` / PEM `PUBLIC KEY` (≥ 2048 bits).
///
/// Other combinations parse (a root may list keys this client cannot use) but cannot verify.
public struct TUF1Key: Sendable {
    public let keyType: String
    public let scheme: String
    /// `keyval.public` as written.
    public let publicValue: String
    /// The key object as received.
    public let json: JSONValue
    /// Lowercase hex SHA-256 of the canonical form of `json`.
    public let id: String
    private let cache = TUF1KeyCache()

    /// Parses a key object.
    /// - Throws: `TUFError(.malformed)` naming `context` when `keytype`, `scheme` or
    ///   `keyval.public` is missing or not a string, or the object cannot be canonicalised.
    public init(json value: JSONValue, context: String, role: String?) throws {
        let fields = try JSONFields(value, context: context, role: role)
        keyType = try fields.string("keytype")
        scheme = try fields.string("scheme")
        let keyval = try JSONFields(.object(try fields.object("keyval")), context: "\(context) keyval", role: role)
        publicValue = try keyval.string("public")
        json = value
        id = Hex.encode(Digest.sha256(try CanonicalJSON.encode(value)))
    }

    /// The verifying key and its scheme, decoded once and shared by copies of this key.
    /// - Throws: `TUFError(.badKey)` for an unsupported keytype/scheme pair, a value that does not
    ///   decode, a key of another algorithm than the scheme's, or an ECDSA key not on P-256.
    public func verifier() throws -> (key: PublicKey, scheme: SignatureScheme) { try cache.verifier(of: self) }

    fileprivate func decode() throws -> (key: PublicKey, scheme: SignatureScheme) {
        guard let scheme = SignatureScheme(rawValue: self.scheme) else {
            throw TUFError(.badKey, "key \(id) has unsupported scheme \"\(RoleName.printable(self.scheme))\"")
        }
        let typeFits: Bool
        switch scheme {
        case .ed25519: typeFits = keyType == "ed25519"
        case .ecdsaSHA2NISTP256: typeFits = keyType == "ecdsa" || keyType == "ecdsa-sha2-nistp256"
        case .rsassaPSSSHA256, .rsaPKCS1v15SHA256: typeFits = keyType == "rsa"
        }
        guard typeFits else {
            throw TUFError(.badKey, "key \(id): keytype \"\(RoleName.printable(keyType))\" does not go with scheme \(scheme.rawValue)")
        }
        let key: PublicKey
        do {
            if scheme == .ed25519 {
                guard publicValue.utf8.count == 64, let raw = Hex.decode(publicValue) else {
                    throw TUFError(.badKey, "key \(id): an ed25519 public value is 64 hex digits")
                }
                key = try PublicKey(ed25519Raw: raw)
            } else {
                key = try PublicKey(pem: publicValue)
            }
        } catch let error as CryptoError {
            throw TUFError(.badKey, "key \(id) (\(keyType)) does not decode: \(error)")
        }
        guard key.algorithm == scheme.keyAlgorithm else {
            throw TUFError(.badKey, "key \(id) is declared \(keyType) but holds a \(key.algorithm.rawValue) key")
        }
        if scheme == .ecdsaSHA2NISTP256, key.bits != 256 {
            throw TUFError(.badKey, "key \(id): scheme ecdsa-sha2-nistp256 needs a P-256 key, this one is \(key.bits) bits")
        }
        return (key, scheme)
    }
}

/// The decoded key of one `TUF1Key`, on first use (a hostile file may list many keys no signature
/// uses; those are never decoded).
final class TUF1KeyCache: Sendable {
    private let result = Mutex<Result<(key: PublicKey, scheme: SignatureScheme), TUFError>?>(nil)

    func verifier(of key: TUF1Key) throws -> (key: PublicKey, scheme: SignatureScheme) {
        try result.withLock { result in
            if let result { return try result.get() }
            let decoded: Result<(key: PublicKey, scheme: SignatureScheme), TUFError>
            do { decoded = .success(try key.decode()) } catch let error as TUFError {
                decoded = .failure(error)
            } catch {
                decoded = .failure(TUFError(.badKey, "key \(key.id): \(error)"))
            }
            result = decoded
            return try decoded.get()
        }
    }
}

/// Key maps (`root.keys`, `delegations.keys`): key ID → key, each listed under its own ID.
enum TUF1Keys {
    /// - Throws: `TUFError(.tooLarge)` past `MetadataLimits.maxKeys`; `.badKeyID` for a key
    ///   listed under an ID that is not its own; the key's parse errors.
    static func parse(_ objects: [String: JSONValue], context: String, role: String) throws -> [String: TUF1Key] {
        guard objects.count <= MetadataLimits.maxKeys else {
            throw TUFError(.tooLarge, "\(context) lists \(objects.count) keys, over the limit of \(MetadataLimits.maxKeys)", role: role)
        }
        var keys: [String: TUF1Key] = [:]
        for (listedID, object) in objects {
            let key = try TUF1Key(json: object, context: "\(context) key \(RoleName.printable(listedID))", role: role)
            guard ExactName.equal(key.id, listedID) else {
                throw TUFError(.badKeyID, "\(context) lists a key as \(RoleName.printable(listedID)), but its ID (SHA-256 of its canonical form) is \(key.id)", role: role)
            }
            keys[listedID] = key
        }
        return keys
    }
}

/// The keys and threshold of a role (`root.roles.<name>`, a delegation): `keyids` unique, each
/// one defined in the key map beside it, `threshold` ≥ 1 (TUF 1.0 §4.3, §4.5).
public struct TUF1RoleKeys: Sendable {
    public var keyIDs: [String]
    public var threshold: Int64

    public init(keyIDs: [String], threshold: Int64) {
        self.keyIDs = keyIDs
        self.threshold = threshold
    }

    /// - Throws: `TUFError(.malformed)` for a repeated or undefined key ID (python-tuf refuses
    ///   repeats too: one key listed twice must not count twice); `.threshold` below 1.
    init(_ fields: JSONFields, keys: [String: TUF1Key], context: String, role: String) throws {
        keyIDs = try fields.stringArray("keyids")
        threshold = try fields.int("threshold")
        guard threshold >= 1 else {
            throw TUFError(.threshold, "\(context) has threshold \(threshold); it must be at least 1", role: role)
        }
        var seen = Set<ExactName.Key>()
        for id in keyIDs {
            guard seen.insert(ExactName.Key(id)).inserted else {
                throw TUFError(.malformed, "\(context) lists key \(RoleName.printable(id)) twice", role: role)
            }
            guard ExactName.value(in: keys, for: id) != nil else {
                throw TUFError(.malformed, "\(context) lists key \(RoleName.printable(id)), which is not defined", role: role)
            }
        }
    }
}
