/// Every SQL statement `PostgresStore` runs (against `PostgresSchema`'s tables), named for
/// `PQprepare`. Parameters are bound in binary; nothing from outside is ever spliced into SQL.
enum PostgresStatements {
    /// $1 GUN lock key (bigint). Held until the transaction ends; one writer per GUN across servers.
    static let lockGUN = PostgresStatement(name: "signet_lock_gun", sql: "SELECT pg_advisory_xact_lock($1)")
    /// Serializes changefeed inserts so IDs are handed out in commit order (two-int4 key space,
    /// which never overlaps the bigint GUN keys).
    static let lockChangefeed = PostgresStatement(name: "signet_lock_changefeed",
        sql: "SELECT pg_advisory_xact_lock(1397311310, 2)")

    private static let fileColumns = "role, version, sha256, created_at, data"

    /// $1 GUN, $2 role.
    static let current = PostgresStatement(name: "signet_current",
        sql: "SELECT \(fileColumns) FROM signet_tuf_files WHERE gun = $1 AND role = $2 ORDER BY version DESC LIMIT 1")
    /// $1 GUN, $2 role, $3 version.
    static let version = PostgresStatement(name: "signet_version",
        sql: "SELECT \(fileColumns) FROM signet_tuf_files WHERE gun = $1 AND role = $2 AND version = $3")
    /// $1 GUN, $2 role, $3 lowercase hex sha256.
    static let byHash = PostgresStatement(name: "signet_by_hash",
        sql: "SELECT \(fileColumns) FROM signet_tuf_files WHERE gun = $1 AND role = $2 AND sha256 = $3 ORDER BY version DESC LIMIT 1")
    /// $1 GUN: each stored role with its newest version.
    static let newestVersions = PostgresStatement(name: "signet_newest_versions",
        sql: "SELECT role, max(version) FROM signet_tuf_files WHERE gun = $1 GROUP BY role")
    /// $1 GUN, $2 role, $3 version, $4 sha256 hex, $5 bytes.
    static let insertFile = PostgresStatement(name: "signet_insert_file",
        sql: "INSERT INTO signet_tuf_files (gun, role, version, sha256, data) VALUES ($1, $2, $3, $4, $5)")
    /// $1 GUN, $2 role, $3 version, $4 sha256 hex, $5 bytes, $6 creation time (microseconds since
    /// 1970): a version copied with its history (`restore`).
    static let restoreFile = PostgresStatement(name: "signet_restore_file",
        sql: "INSERT INTO signet_tuf_files (gun, role, version, sha256, data, created_at) VALUES ($1, $2, $3, $4, $5, to_timestamp($6::float8 / 1000000))")
    /// Every GUN with a stored version, in byte order (the columns are COLLATE "C").
    static let collections = PostgresStatement(name: "signet_collections",
        sql: "SELECT DISTINCT gun FROM signet_tuf_files ORDER BY gun")
    /// $1 GUN: every stored version, without bytes, by role then version.
    static let history = PostgresStatement(name: "signet_history",
        sql: "SELECT role, version, sha256, created_at FROM signet_tuf_files WHERE gun = $1 ORDER BY role, version")
    /// The highest changefeed ID (NULL when empty).
    static let highestChangeID = PostgresStatement(name: "signet_highest_change_id", sql: "SELECT max(id) FROM signet_changefeed")
    /// $1 ID, $2 creation time (microseconds since 1970), $3 GUN, $4 version, $5 sha256 hex, $6
    /// category: a change copied with its ID (`restoreChanges`).
    static let restoreChange = PostgresStatement(name: "signet_restore_change",
        sql: "INSERT INTO signet_changefeed (id, created_at, gun, version, sha256, category) VALUES ($1, to_timestamp($2::float8 / 1000000), $3, $4, $5, $6)")
    /// $1 the highest ID restored: later changes are numbered after it.
    static let moveChangeSequence = PostgresStatement(name: "signet_move_change_sequence",
        sql: "SELECT setval('signet_change_id', $1)")
    /// $1 GUN.
    static let deleteGUN = PostgresStatement(name: "signet_delete_gun", sql: "DELETE FROM signet_tuf_files WHERE gun = $1")
    /// $1 GUN, $2 version, $3 sha256 hex, $4 category.
    static let insertChange = PostgresStatement(name: "signet_insert_change",
        sql: "INSERT INTO signet_changefeed (gun, version, sha256, category) VALUES ($1, $2, $3, $4)")

    /// $1 the GUN's lock key as decimal text: sent to every listener when the transaction commits
    /// (`PostgresChangeListener`).
    static let notifyChange = PostgresStatement(name: "signet_notify_change",
        sql: "SELECT pg_notify('\(PostgresChangeListener.channel)', $1)")

    // MARK: Server keys (`PostgresKeyStore`)

    /// $1 GUN, $2 role: key IDs, oldest first.
    static let keyIDs = PostgresStatement(name: "signet_key_ids",
        sql: "SELECT key_id FROM signet_server_keys WHERE gun = $1 AND role = $2 ORDER BY serial")
    /// $1 GUN, $2 role, $3 key ID.
    static let storedKey = PostgresStatement(name: "signet_stored_key",
        sql: "SELECT created_at, private_key FROM signet_server_keys WHERE gun = $1 AND role = $2 AND key_id = $3")
    /// $1 GUN, $2 role, $3 key ID, $4 created, $5 encrypted PEM: the role's first key, or nothing
    /// (0 rows) when it has one already.
    static let addFirstKey = PostgresStatement(name: "signet_add_first_key",
        sql: "INSERT INTO signet_server_keys (gun, role, serial, key_id, created_at, private_key) VALUES ($1, $2, 1, $3, $4, $5) ON CONFLICT DO NOTHING")
    /// As `addFirstKey`, after the role's newest key; nothing when the key ID is stored already
    /// (or a concurrent insert took the serial).
    static let addNextKey = PostgresStatement(name: "signet_add_next_key",
        sql: """
        INSERT INTO signet_server_keys (gun, role, serial, key_id, created_at, private_key)
        SELECT $1, $2, coalesce(max(serial), 0) + 1, $3, $4, $5 FROM signet_server_keys WHERE gun = $1 AND role = $2
        ON CONFLICT DO NOTHING
        """)
    /// $1 GUN.
    static let deleteKeys = PostgresStatement(name: "signet_delete_keys", sql: "DELETE FROM signet_server_keys WHERE gun = $1")
    /// The passphrase check key: key ID, encrypted PEM.
    static let keyCheck = PostgresStatement(name: "signet_key_check", sql: "SELECT key_id, private_key FROM signet_server_key_check WHERE id = 1")
    /// $1 key ID, $2 encrypted PEM: stored unless one is.
    static let addKeyCheck = PostgresStatement(name: "signet_add_key_check",
        sql: "INSERT INTO signet_server_key_check (id, key_id, private_key) VALUES (1, $1, $2) ON CONFLICT DO NOTHING")

    private static let changeColumns = "id, created_at, gun, version, sha256, category"

    /// One page of the changefeed (`ChangefeedQuery` gives the parameters).
    static func changes(_ query: ChangefeedQuery) -> PostgresStatement {
        query.statement(table: "signet_changefeed", columns: changeColumns, prefix: "signet")
    }
}
