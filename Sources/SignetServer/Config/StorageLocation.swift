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
        case .database(let url): return try PostgresStore(parameters: PostgresConnectionParameters(url: url, password: password))
        }
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
