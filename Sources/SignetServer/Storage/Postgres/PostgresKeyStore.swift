import FoundationEssentials
import Logging
import SignetCrypto
import SignetTUF

/// The server-held keys in PostgreSQL, next to the metadata (`signet_server_keys`, migration 2 of
/// `PostgresSchema`): every server on one database signs a GUN's timestamp (and snapshot) with the
/// same key, and a key one server creates is the key every other server hands out (issue 13).
///
/// - Rows hold `ServerKeySealing`'s encrypted PKCS#8 PEM, never a decrypted key; `serial` orders a
///   role's keys. Adding runs on the GUN's write transaction (`PostgresStore.writing`, the same
///   advisory lock as a publish), and the first key of a role takes serial 1, which is unique: two
///   servers creating a GUN's first key at once store one, and the other reads it back.
/// - Opening checks the server's key passphrase against `signet_server_key_check`, a key the first
///   server stored: a server started with another passphrase is refused at start
///   (`StorageError(.incompatible)`), instead of failing every re-sign later.
/// - Keys a server kept in `<storage>/keys` before they moved into the database (`legacy`) are
///   copied in the first time a GUN's role has none in the database.
package final class PostgresKeyStore: ServerKeyStore {
    let store: PostgresStore
    package let sealing: ServerKeySealing
    let legacy: FileKeyStore?

    /// - Parameters:
    ///   - store: the metadata store on the same database (its pool and write transactions).
    ///   - sealing: the server's key algorithm, passphrase and key derivation.
    ///   - legacy: a file key store whose keys are copied in when the database has none for a role.
    /// - Throws: `StorageError(.incompatible)` when the passphrase does not decrypt the database's
    ///   check key; the storage error of an unreachable database.
    package init(store: PostgresStore, sealing: ServerKeySealing, legacy: FileKeyStore? = nil) throws {
        self.store = store
        self.sealing = sealing
        self.legacy = legacy
        try checkPassphrase()
    }

    /// The key store of `signet serve` on PostgreSQL: the passphrase `ServerKeySealing.resolvePassphrase`
    /// finds for `storageDirectory`, and the keys an earlier server kept in `<storageDirectory>/keys`
    /// (if that directory exists) as `legacy`.
    /// - Throws: as `init`, and `NotaryError` for a passphrase file that cannot be read or written.
    package static func open(store: PostgresStore, storageDirectory: String, settings: TrustServerSettings, logger: Logger) throws -> PostgresKeyStore {
        let passphrase = try ServerKeySealing.resolvePassphrase(settings: settings, storageRoot: storageDirectory, logger: logger)
        var legacy: FileKeyStore?
        if FileManager.default.fileExists(atPath: storageDirectory + "/keys") {
            legacy = try FileKeyStore(directory: storageDirectory + "/keys", algorithm: settings.keyAlgorithm, passphrase: passphrase,
                                      kdf: settings.keyDerivation)
        }
        let sealing = ServerKeySealing(algorithm: settings.keyAlgorithm, passphrase: passphrase, kdf: settings.keyDerivation)
        return try PostgresKeyStore(store: store, sealing: sealing, legacy: legacy)
    }

    /// Decrypts the database's check key, storing one first if no server has.
    private func checkPassphrase() throws {
        func read() throws -> StoredServerKey? {
            try PostgresStore.mapped(gun: nil) {
                try store.pool.withConnection { connection in
                    let rows = try PostgresStore.nothingDone { try connection.execute(PostgresStatements.keyCheck) }
                    guard rows.count > 0 else { return nil }
                    return StoredServerKey(gun: "(database)", role: "check", keyID: try rows.text(0, 0), created: Date(),
                                           encryptedPEM: try rows.bytes(0, 1))
                }
            }
        }
        var check = try read()
        if check == nil {
            let (generated, _) = try sealing.generate(gun: "(database)", role: "check")
            _ = try PostgresStore.mapped(gun: nil) {
                try store.pool.withConnection { connection in
                    try connection.execute(PostgresStatements.addKeyCheck, [.text(generated.keyID), .bytes(generated.encryptedPEM)])
                }
            }
            check = try read()
        }
        guard let check else { throw StorageError(.corrupt, "the server key passphrase check row was stored but cannot be read back") }
        do { _ = try sealing.open(check) } catch {
            throw StorageError(.incompatible, "this server's key passphrase does not decrypt the server keys in the PostgreSQL database: every signet serve on one database needs the same SIGNET_SERVER_KEY_PASSPHRASE (or trust_service.key_passphrase)")
        }
    }

    // MARK: ServerKeyStore

    package func keyIDs(gun: String, role: String) throws -> [String] {
        try StorageNames.checkRole(role, gun: gun)
        let ids = try store.reading(gun: gun) { connection in
            let rows = try connection.execute(PostgresStatements.keyIDs, [.text(gun), .text(role)])
            return try (0..<rows.count).map { try rows.text($0, 0) }
        }
        guard ids.isEmpty, let legacy else { return ids }
        let older = try legacy.keyIDs(gun: gun, role: role)
        guard !older.isEmpty else { return ids }
        for id in older {
            if let key = try legacy.storedKey(gun: gun, role: role, keyID: id) { try add(key, onlyIfNone: false) }
        }
        return try store.reading(gun: gun) { connection in
            let rows = try connection.execute(PostgresStatements.keyIDs, [.text(gun), .text(role)])
            return try (0..<rows.count).map { try rows.text($0, 0) }
        }
    }

    package func storedKey(gun: String, role: String, keyID: String) throws -> StoredServerKey? {
        try StorageNames.checkRole(role, gun: gun)
        return try store.reading(gun: gun) { connection in
            let rows = try connection.execute(PostgresStatements.storedKey, [.text(gun), .text(role), .text(keyID)])
            guard rows.count > 0 else { return nil }
            return StoredServerKey(gun: gun, role: role, keyID: keyID, created: try rows.date(0, 0), encryptedPEM: try rows.bytes(0, 1))
        }
    }

    @discardableResult
    package func add(_ key: StoredServerKey, onlyIfNone: Bool) throws -> Bool {
        try StorageNames.checkGUN(key.gun)
        try StorageNames.checkRole(key.role, gun: key.gun)
        let parameters: [PostgresValue] = [.text(key.gun), .text(key.role), .text(key.keyID), .timestamp(key.created), .bytes(key.encryptedPEM)]
        return try store.writing(gun: key.gun) { connection in
            if onlyIfNone { return try connection.execute(PostgresStatements.addFirstKey, parameters).affected == 1 }
            // On the GUN's write transaction no other server adds to this role, so the next serial
            // is free; nothing stored means the key ID is there already.
            return try connection.execute(PostgresStatements.addNextKey, parameters).affected == 1
        }
    }

    package func delete(gun: String) throws {
        try StorageNames.checkGUN(gun)
        try store.writing(gun: gun) { connection in _ = try connection.execute(PostgresStatements.deleteKeys, [.text(gun)]) }
    }
}
