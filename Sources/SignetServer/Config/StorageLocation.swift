import FoundationEssentials
import SignetSupport

/// Where a trust server's storage is, as `signet storage copy --from/--to` name it: a directory (the
/// file store) or a PostgreSQL URI (`postgres://…`, `postgresql://…`; `ServeConfiguration.isPostgresURL`).
///
/// Its `description` names a database as "PostgreSQL database", never the URI (which may hold a
/// password).
package enum StorageLocation: Sendable, CustomStringConvertible {
    case directory(String)
    case database(url: String)

    package init(_ text: String) {
        self = ServeConfiguration.isPostgresURL(text) ? .database(url: text) : .directory(text)
    }

    package var description: String {
        switch self {
        case .directory(let path): return path
        case .database: return "PostgreSQL database"
        }
    }

    /// Opens the store here, creating an empty one when absent (a directory is created 0700, a
    /// database gets Signet's schema).
    /// - Parameter password: the database password (from the environment), if any.
    /// - Throws: `StorageError` (an unreachable database is `.unavailable`).
    package func openStore(password: String?) throws -> any MetadataStore {
        switch self {
        case .directory(let path): return try FileStore(directory: path)
        case .database(let url): return try Self.openDatabase(url: url, password: password)
        }
    }

    /// The PostgreSQL store at `url`, migrated to this build's schema: the one way a URI becomes a
    /// store, for `signet serve` (`ServeAssembly.openDatabase`) and `signet storage`.
    /// - Parameters:
    ///   - url: a `postgres://` or `postgresql://` URI (never logged: it may hold a password).
    ///   - password: the password given apart from the URI (`password(from:)`); nil for the URI's
    ///     own, else libpq's `~/.pgpass`.
    ///   - maxConnections: the pool's size, connections.
    ///   - maxStaleness: how stale the current-metadata cache may be; zero for no cache and no
    ///     change listener.
    /// - Throws: `StorageError`: `.incompatible` for a schema newer than this build's, `.unavailable`
    ///   for a database that cannot be reached, `.loginRefused` for a refused login.
    package static func openDatabase(url: String, password: String?, maxConnections: Int = 8, maxStaleness: Duration = .seconds(1)) throws -> PostgresStore {
        try PostgresStore(parameters: PostgresConnectionParameters(url: url, password: password), maxConnections: maxConnections, maxStaleness: maxStaleness)
    }

    /// The environment variable holding the password of the database `signet serve` uses (and
    /// `signet storage` writes to).
    package static let passwordVariable = "SIGNET_STORAGE_PASSWORD"

    /// A database password from the environment variable `variable`; nil when unset or empty.
    package static func password(from variable: String = passwordVariable) -> String? {
        ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The server-key store that `signet serve` on this storage uses: `<dir>/keys`, or the database's
    /// `signet_server_keys` next to `store` (which must be this location's `PostgresStore`), with
    /// `passphrase` and the default key algorithm and derivation (`TrustServerSettings`).
    /// - Throws: `StorageMoveError(.keyPassphrase)` when the database's keys were sealed with
    ///   another passphrase; the storage error of an unreachable database or a directory that
    ///   cannot be created.
    package func openKeys(store: any MetadataStore, passphrase: String) throws -> any ServerKeyStore {
        let settings = TrustServerSettings(storageDirectory: "")
        let sealing = ServerKeySealing(algorithm: settings.keyAlgorithm, passphrase: passphrase, kdf: settings.keyDerivation)
        switch (self, store) {
        case (.database, let database as PostgresStore):
            do { return try PostgresKeyStore(store: database, sealing: sealing) } catch let error as StorageError where error.kind == .incompatible {
                throw StorageMoveError(.keyPassphrase, "\(self): \(error.reason)")
            }
        case (.directory(let path), _):
            return try FileKeyStore(directory: PathText.standardizing(path) + "/keys", algorithm: settings.keyAlgorithm, passphrase: passphrase, kdf: settings.keyDerivation)
        default:
            throw StorageMoveError(.notAStore, "\(self) is not a PostgreSQL store")
        }
    }

    /// The passphrase file `signet serve` generates in a storage directory (`ServerKeySealing`).
    package var passphraseFile: String? {
        if case .directory(let path) = self { return PathText.standardizing(path) + "/server-key-passphrase" }
        return nil
    }

    /// Whether this is a directory without server keys (nothing to copy from it).
    package var hasNoKeys: Bool {
        guard case .directory(let path) = self else { return false }
        return ((try? FileManager.default.contentsOfDirectory(atPath: PathText.standardizing(path) + "/keys")) ?? []).isEmpty
    }

    /// The passphrase of the server keys `signet storage copy` moves from `source` to
    /// `destination`: copied encrypted, they need the same one on both sides.
    /// - `SIGNET_SERVER_KEY_PASSPHRASE` when set (the servers on both sides must use it);
    /// - else the source directory's `server-key-passphrase`, written into a destination directory
    ///   that has none, so that `signet serve` there finds it (a database destination gets a
    ///   `notice`: its servers must be given that passphrase).
    /// - Throws: `StorageMoveError(.keyPassphrase)` when neither is there (a database keeps no
    ///   passphrase file); the storage error of a file that cannot be read or written.
    package static func keyPassphrase(source: StorageLocation, destination: StorageLocation) throws -> (passphrase: String, notice: String?) {
        if let fromEnvironment = ProcessInfo.processInfo.environment["SIGNET_SERVER_KEY_PASSPHRASE"], !fromEnvironment.isEmpty {
            return (fromEnvironment, nil)
        }
        guard let file = source.passphraseFile, let bytes = try StorageFile.read(file),
              case let text = String(decoding: bytes, as: UTF8.self).trimmingWhitespaceAndNewlines(), !text.isEmpty else {
            throw StorageMoveError(.keyPassphrase, "set SIGNET_SERVER_KEY_PASSPHRASE to the passphrase of the source's server keys (\(source) has no server-key-passphrase file)")
        }
        guard let target = destination.passphraseFile else {
            return (text, "the server keys are sealed with the passphrase in \(file): give every signet serve on the destination that passphrase (SIGNET_SERVER_KEY_PASSPHRASE or trust_service.key_passphrase)")
        }
        if try StorageFile.read(target) == nil { try StorageFile.write(bytes, to: target, mode: 0o600) }
        return (text, nil)
    }

    /// Opens the store here to read from it: a directory must already be a file store (hold
    /// `repos/`), so a mistyped path is refused rather than read as an empty store.
    /// - Throws: `StorageMoveError(.notAStore)` for a directory without `repos/`; as `openStore`.
    package func openExistingStore(password: String?) throws -> any MetadataStore {
        if case .directory(let path) = self, !FileManager.default.fileExists(atPath: PathText.standardizing(path) + "/repos") {
            throw StorageMoveError(.notAStore, "\(path) is not a Signet storage directory (it has no repos/)")
        }
        return try openStore(password: password)
    }
}
