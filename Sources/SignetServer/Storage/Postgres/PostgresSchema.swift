import FoundationEssentials

/// The store's tables as numbered migrations, applied in order when a `PostgresStore` opens.
///
/// `signet_schema_migrations` records each applied number. Opening runs, in one transaction under a
/// database-wide advisory lock (so two servers starting together do not both migrate): create that
/// table if needed, refuse a database whose highest number is above `migrations.count` (a newer
/// Signet migrated it; this one would misread it), then apply and record each missing migration.
/// Migrations are append-only: a released one is never edited, a change is a new number.
enum PostgresSchema {
    /// `pg_advisory_xact_lock` key held while migrating ("SIGNETMG" as 8 ASCII bytes).
    static let migrationLock: Int64 = 0x5349_474E_4554_4D47

    /// Migration N is `migrations[N - 1]`.
    static let migrations: [String] = [
        // 1: every version of every role (Notary's tuf_files), and the changefeed.
        """
        CREATE TABLE signet_tuf_files (
            gun text COLLATE "C" NOT NULL,
            role text COLLATE "C" NOT NULL,
            version bigint NOT NULL CHECK (version >= 1),
            sha256 text COLLATE "C" NOT NULL,
            data bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (gun, role, version)
        );
        CREATE INDEX signet_tuf_files_by_hash ON signet_tuf_files (gun, role, sha256);
        CREATE SEQUENCE signet_change_id;
        CREATE TABLE signet_changefeed (
            id bigint PRIMARY KEY DEFAULT nextval('signet_change_id'),
            created_at timestamptz NOT NULL DEFAULT now(),
            gun text COLLATE "C" NOT NULL,
            version bigint NOT NULL,
            sha256 text COLLATE "C" NOT NULL,
            category text NOT NULL
        );
        CREATE INDEX signet_changefeed_by_gun ON signet_changefeed (gun, id);
        """,
        // 2: the server-held timestamp and snapshot keys (`PostgresKeyStore`), encrypted PKCS#8 PEM;
        // `serial` orders a role's keys (1 = the first, unique, so two servers cannot both store
        // one), and the one row that tells whether a server's key passphrase is the database's.
        """
        CREATE TABLE signet_server_keys (
            gun text COLLATE "C" NOT NULL,
            role text COLLATE "C" NOT NULL,
            serial bigint NOT NULL CHECK (serial >= 1),
            key_id text COLLATE "C" NOT NULL,
            created_at timestamptz NOT NULL,
            private_key bytea NOT NULL,
            PRIMARY KEY (gun, role, serial),
            UNIQUE (gun, role, key_id)
        );
        CREATE TABLE signet_server_key_check (
            id integer PRIMARY KEY CHECK (id = 1),
            key_id text COLLATE "C" NOT NULL,
            private_key bytea NOT NULL
        );
        """,
    ]

    static let highestApplied = PostgresStatement(name: "signet_schema_highest",
        sql: "SELECT max(version)::int8 FROM signet_schema_migrations")
    static let record = PostgresStatement(name: "signet_schema_record",
        sql: "INSERT INTO signet_schema_migrations (version) VALUES ($1)")

    /// Brings the database to `migrations.count`.
    /// - Throws: `PostgresFailure(.newerSchema)` naming both numbers when the database's schema is
    ///   newer than this build knows; any failure of the connection or of a migration (nothing is
    ///   applied then: the transaction rolls back).
    static func migrate(_ connection: PostgresConnection) throws {
        try connection.run("BEGIN")
        do {
            _ = try connection.execute(PostgresStatement(name: "signet_schema_lock", sql: "SELECT pg_advisory_xact_lock($1)"), [.int64(migrationLock)])
            try connection.run("""
                CREATE TABLE IF NOT EXISTS signet_schema_migrations (
                    version integer PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            let applied = try connection.execute(highestApplied).optionalInt64(0, 0) ?? 0
            guard applied <= Int64(migrations.count) else {
                throw PostgresFailure(.newerSchema, "the database's schema is at migration \(applied), newer than the \(migrations.count) this signet knows; run a newer signet")
            }
            for number in Int(applied)..<migrations.count {
                try connection.run(migrations[number])
                _ = try connection.execute(record, [.int64(Int64(number + 1))])
            }
            try connection.run("COMMIT")
        } catch {
            try? connection.run("ROLLBACK")
            throw error
        }
    }
}
