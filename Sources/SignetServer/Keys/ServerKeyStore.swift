import FoundationEssentials
import SignetCrypto
import SignetTUF

/// One server-held key as a key store keeps it: encrypted (PEM `ENCRYPTED PRIVATE KEY`, the
/// PKCS#8 that `ServerKeySealing` writes), so copying it from one store to another never decrypts it.
package struct StoredServerKey: Sendable, Equatable {
    package var gun: String
    /// `timestamp` or `snapshot` (`ServerKeyStore.isServerRole`).
    package var role: String
    /// The TUF key ID of its public key (`TUFKey.id`: lowercase hex SHA-256 of the canonical key).
    package var keyID: String
    /// When it was created; a role's newest key is its pending one (`getOrCreate`).
    package var created: Date
    /// The PEM text, `-----BEGIN ENCRYPTED PRIVATE KEY-----` …, as UTF-8 bytes.
    package var encryptedPEM: [UInt8]

    package init(gun: String, role: String, keyID: String, created: Date, encryptedPEM: [UInt8]) {
        self.gun = gun
        self.role = role
        self.keyID = keyID
        self.created = created
        self.encryptedPEM = encryptedPEM
    }
}

/// Where the server keeps the keys it holds for collections: the timestamp key of every GUN and
/// the snapshot key of GUNs whose snapshot the server manages (Notary's signer, reference §2.6,
/// §5.2). The seam between the trust server and its key storage: `FileKeyStore` (files under the
/// storage directory, the embedded default) and `PostgresKeyStore` (a table next to the metadata,
/// so every server on one database signs with the same keys).
///
/// Implementations store and list `StoredServerKey`s; which key answers `GET <role>.key` and which
/// one signs is decided once, in this protocol's extension, for every store.
///
/// Errors: what the storage throws (`StorageError` for the file system and the database; an outage
/// is `.unavailable`, answered 503), and `NotaryError(.unknown)` for a stored key that does not
/// decrypt with this server's passphrase or is not the key its ID names.
package protocol ServerKeyStore: Sendable {
    /// Encrypts new keys and decrypts stored ones: algorithm, passphrase, key derivation, and the
    /// decrypted keys kept in memory.
    var sealing: ServerKeySealing { get }

    /// The key IDs of `gun`'s `role`, oldest first (empty when there are none).
    func keyIDs(gun: String, role: String) throws -> [String]

    /// The stored key of `gun`'s `role` with ID `keyID`, or nil.
    func storedKey(gun: String, role: String, keyID: String) throws -> StoredServerKey?

    /// Stores `key`. With `onlyIfNone`, only when its role has no key yet, atomically for every
    /// server sharing the storage (two servers creating a GUN's first key at once keep one).
    /// - Returns: false when nothing was stored: a key with that ID is there already, or
    ///   (`onlyIfNone`) the role already had a key.
    @discardableResult
    func add(_ key: StoredServerKey, onlyIfNone: Bool) throws -> Bool

    /// Removes every key of `gun` (no error if it had none).
    func delete(gun: String) throws
}

extension ServerKeyStore {
    /// Only `timestamp` and `snapshot` keys are held by the server.
    package static func isServerRole(_ role: String) -> Bool { role == RoleName.timestamp || role == RoleName.snapshot }

    /// Algorithm of the keys this store creates.
    package var algorithm: KeyAlgorithm { sealing.algorithm }

    /// Every key of `gun`: timestamp keys, then snapshot keys, each oldest first (what `signet
    /// storage copy` copies).
    package func storedKeys(gun: String) throws -> [StoredServerKey] {
        var keys: [StoredServerKey] = []
        for role in [RoleName.timestamp, RoleName.snapshot] {
            for id in try keyIDs(gun: gun, role: role) {
                if let stored = try storedKey(gun: gun, role: role, keyID: id) { keys.append(stored) }
            }
        }
        return keys
    }

    /// The private key of a stored key, decrypted once and then kept in memory.
    private func privateKey(gun: String, role: String, keyID: String) throws -> PrivateKey? {
        if let cached = sealing.cached(keyID: keyID) { return cached }
        guard let stored = try storedKey(gun: gun, role: role, keyID: keyID) else { return nil }
        return try sealing.open(stored)
    }

    /// Creates a new key for `gun`'s `role` and returns its public TUF key (Notary `POST
    /// <role>.key`): a pending key until a root lists it.
    @discardableResult
    package func create(gun: String, role: String) throws -> TUFKey {
        let (stored, key) = try sealing.generate(gun: gun, role: role)
        guard try add(stored, onlyIfNone: false) else {
            throw NotaryError(.unknown, log: "a new \(role) key of \(gun) was not stored: key ID \(key.id) exists already")
        }
        return key
    }

    /// The key `GET <role>.key` returns: the first key of `role` in `root` that the server holds,
    /// else the newest pending key, else a new one. A new one is stored only if the role still has
    /// none; when another server stored one first, that one is returned, so every server of a GUN
    /// hands out the same key.
    package func getOrCreate(gun: String, role: String, root: Root?) throws -> TUFKey {
        if let root, let signer = try signer(gun: gun, role: role, root: root) { return signer.key }
        if let newest = try newestKey(gun: gun, role: role) { return newest }
        let (stored, key) = try sealing.generate(gun: gun, role: role)
        if try add(stored, onlyIfNone: true) { return key }
        guard let winner = try newestKey(gun: gun, role: role) else {
            throw NotaryError(.unknown, log: "\(role) key of \(gun): another server stored one, but it cannot be read back")
        }
        return winner
    }

    private func newestKey(gun: String, role: String) throws -> TUFKey? {
        guard let id = try keyIDs(gun: gun, role: role).last,
              let privateKey = try privateKey(gun: gun, role: role, keyID: id) else { return nil }
        return TUFKey(publicKey: privateKey.publicKey)
    }

    /// A key listed for `role` in `root` that the server holds, with its private key, or nil.
    package func signer(gun: String, role: String, root: Root) throws -> RoleSigner? {
        guard let listed = root.roles[role]?.keyIDs else { return nil }
        let held = Set(try keyIDs(gun: gun, role: role))
        for id in listed where held.contains(id) {
            guard let key = root.keys[id], let privateKey = try privateKey(gun: gun, role: role, keyID: id) else { continue }
            return RoleSigner(key: key, privateKey: privateKey)
        }
        return nil
    }
}
