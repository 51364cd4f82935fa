import FoundationEssentials
import SignetTUF

/// A notary-server 0.7 PostgreSQL database, read only: the source of `signet storage import-notary`
/// (`StorageCopy`), so that a Notary operator moves to Signet without re-signing anything.
///
/// notary-server 0.7's schema (its `migrations/server/postgresql/0001_initial.up.sql` and
/// `0002_changefeed.up.sql`; rows written by `server/storage/sqldb.go` through GORM):
/// - `tuf_files`: one row per version of each role (`gun`, `role`, `version`, `data` bytea,
///   `sha256` char(64), `created_at` / `updated_at` / `deleted_at` timestamps without time zone).
///   notary-server serves the newest version, by version and by sha256, and ignores rows whose
///   `deleted_at` is set (GORM's soft delete), so this does too. A missing or empty `sha256` is
///   computed from `data`.
/// - `changefeed`: `id` serial, `created_at`, `gun`, `version`, `sha256` (blank for deletions),
///   `category` `update` or `deletion`.
///
/// notary-server writes its timestamps in the time zone its process runs in (GORM's `time.Now()`
/// into a column without zone); they are read as UTC, the zone of notary's container images. They
/// only become `Last-Modified` headers and changefeed times.
///
/// Timestamp and snapshot private keys are not in this database: notary-server holds them in
/// notary-signer (`trust_service.type` `remote`) or only in memory (`local`). See
/// docs/operations.md, "Moving from notary-server", for what the operator does about them.
package final class NotaryDatabase: MetadataSource {
    private let pool: PostgresPool

    /// Connects and checks that the database has notary-server's `tuf_files` and `changefeed`.
    /// - Throws: `StorageMoveError(.notNotaryDatabase)` naming the missing table; the storage error
    ///   for an unreachable database (`.unavailable`).
    package init(parameters: PostgresConnectionParameters) throws {
        pool = PostgresPool(parameters: parameters, capacity: 1)
        for table in ["tuf_files", "changefeed"] {
            let present = try Self.mapped { try pool.withConnection { try $0.execute(Statements.tableExists, [.text(table)]) } }
            guard present.count == 1, try present.int64(0, 0) == 1 else {
                throw StorageMoveError(.notNotaryDatabase, "the database has no \(table) table: it is not a notary-server 0.7 database (notary's migrations/server/postgresql create tuf_files and changefeed)")
            }
        }
    }

    /// `PostgresStore`'s error mapping (an outage is `.unavailable`), with reads run again once on
    /// a fresh connection after a lost one.
    private static func mapped<T>(gun: String? = nil, _ body: () throws -> T) throws -> T {
        try PostgresStore.mapped(gun: gun, body)
    }

    private func read(gun: String? = nil, _ statement: PostgresStatement, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        try Self.mapped(gun: gun) {
            try pool.withConnection { connection in try PostgresStore.nothingDone { try connection.execute(statement, parameters) } }
        }
    }

    // MARK: MetadataSource

    package func current(gun: String, role: String) throws -> StoredMetadata? {
        try read(gun: gun, Statements.current, [.text(gun), .text(role)]).storedMetadata()
    }

    package func version(gun: String, role: String, version: Int64) throws -> StoredMetadata? {
        try read(gun: gun, Statements.version, [.text(gun), .text(role), .int64(version)]).storedMetadata()
    }

    package func byHash(gun: String, role: String, sha256Hex: String) throws -> StoredMetadata? {
        try read(gun: gun, Statements.byHash, [.text(gun), .text(role), .text(sha256Hex.lowercased())]).storedMetadata()
    }

    package func collections() throws -> [String] {
        let rows = try read(Statements.collections)
        return try (0..<rows.count).map { try rows.text($0, 0) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    package func history(gun: String) throws -> [StoredVersion] {
        let rows = try read(gun: gun, Statements.history, [.text(gun)])
        return try (0..<rows.count).map { row in
            StoredVersion(role: try rows.text(row, 0), version: try rows.int64(row, 1), sha256: try rows.text(row, 2), created: try rows.date(row, 3))
        }.sorted(by: StoredVersion.historyOrder)
    }

    /// `MetadataSource`'s paging over notary's `changefeed` (its own IDs).
    package func changes(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord] {
        guard let query = ChangefeedQuery(gun: gun, changeID: changeID, records: records) else { return [] }
        return query.ordered(try read(gun: gun, Statements.changes(query), query.parameters).changeRecords())
    }

    /// The SQL read from notary's tables. Every column is cast to what `PostgresRows` decodes (text,
    /// int8, bytea, timestamptz); `char(64)` is cast to text, which drops its blank padding.
    enum Statements {
        /// $1 table name: 1 when it exists in the connection's search path, else 0.
        static let tableExists = PostgresStatement(name: "notary_table_exists",
            sql: "SELECT (to_regclass($1) IS NOT NULL)::int::int8")

        /// sha256 as notary records it, or computed from the bytes when it is missing.
        private static let sha256 = "lower(coalesce(nullif(rtrim(sha256::text), ''), encode(sha256(data), 'hex')))"
        /// A timestamp without zone, read as UTC (see the type's comment).
        private static func utc(_ column: String) -> String { "(coalesce(\(column), now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')" }
        private static let fileColumns = "role::text, version::int8, \(sha256), \(utc("coalesce(created_at, updated_at)")), data"
        private static let live = "deleted_at IS NULL"

        /// $1 GUN, $2 role.
        static let current = PostgresStatement(name: "notary_current",
            sql: "SELECT \(fileColumns) FROM tuf_files WHERE gun = $1 AND role = $2 AND \(live) ORDER BY version DESC LIMIT 1")
        /// $1 GUN, $2 role, $3 version.
        static let version = PostgresStatement(name: "notary_version",
            sql: "SELECT \(fileColumns) FROM tuf_files WHERE gun = $1 AND role = $2 AND version = $3 AND \(live) ORDER BY id DESC LIMIT 1")
        /// $1 GUN, $2 role, $3 lowercase hex sha256.
        static let byHash = PostgresStatement(name: "notary_by_hash",
            sql: "SELECT \(fileColumns) FROM tuf_files WHERE gun = $1 AND role = $2 AND \(sha256) = $3 AND \(live) ORDER BY version DESC LIMIT 1")
        static let collections = PostgresStatement(name: "notary_collections",
            sql: "SELECT DISTINCT gun::text FROM tuf_files WHERE \(live)")
        /// $1 GUN.
        static let history = PostgresStatement(name: "notary_history",
            sql: "SELECT role::text, version::int8, \(sha256), \(utc("coalesce(created_at, updated_at)")) FROM tuf_files WHERE gun = $1 AND \(live)")

        /// One page of notary's `changefeed` (`ChangefeedQuery` gives the parameters).
        static func changes(_ query: ChangefeedQuery) -> PostgresStatement {
            query.statement(table: "changefeed", columns: "id::int8, \(utc("created_at")), gun::text, version::int8, coalesce(rtrim(sha256::text), ''), category::text",
                            prefix: "notary")
        }
    }
}
