import FoundationEssentials
import SignetCrypto
import SignetTUF
import Synchronization

/// A `MetadataStore` in PostgreSQL, for several `signet serve` instances sharing one database
/// (issue 13; Notary's SQL storage, `server/storage/sqldb.go`, keeps the same rows).
///
/// - Every version of every role is a row of `signet_tuf_files` (GUN, role, version, sha256, bytes,
///   creation time), served by version, by hash and as the newest; the schema is
///   `PostgresSchema`'s migrations, applied when the store opens.
/// - `withWriteLock(gun:_:)` is one transaction holding `pg_advisory_xact_lock` on the GUN's key
///   (the first 8 bytes of SHA-256 of its UTF-8 bytes): writers of one GUN serialize across every
///   server on the database, and everything `body` commits becomes visible together when the
///   transaction commits, or not at all. Inside `body`, reads and `commit` on this store use that
///   transaction's connection (a task-local names it).
/// - The changefeed is `signet_changefeed`, its IDs from a sequence drawn under a database-wide
///   lock held to commit, so IDs grow in commit order; the semantics are `FileStore`'s.
/// - Connections come from `PostgresPool` (reconnects with backoff). Every libpq failure becomes a
///   storage error in `PostgresStore+Errors.swift`; an outage is never a crash.
/// - `revision(gun:)` comes from memory: `PostgresChangeListener` hears every server's commits
///   (`NOTIFY` in each commit's transaction) within a documented staleness bound, so the current
///   metadata cache works with several servers writing.
/// - The server-held keys live next to the metadata (`PostgresKeyStore`, on this store's pool and
///   write transactions).
package final class PostgresStore: MetadataStore {
    let pool: PostgresPool

    /// Connects, and brings the schema up to date (`PostgresSchema.migrate`).
    /// - Parameters:
    ///   - parameters: where the database is and how to log in.
    ///   - maxConnections: connections this store opens at most (each request holds one while it
    ///     reads or publishes).
    /// - Throws: the storage error for an unreachable database (`PostgresStore+Errors.swift`), or
    ///   one naming both migration numbers when the database's schema is newer than this build's.
    ///   - maxStaleness: how long after another server's commit a GET may still be answered from
    ///     memory with the bytes before it (`PostgresChangeListener`); zero = never answer from
    ///     memory (every GET reads the database).
    package init(parameters: PostgresConnectionParameters, maxConnections: Int = 8, maxStaleness: Duration = .seconds(1)) throws {
        pool = PostgresPool(parameters: parameters, capacity: maxConnections)
        listener = maxStaleness > .zero ? PostgresChangeListener(parameters: parameters, maxStaleness: maxStaleness) : nil
        try Self.mapped(gun: nil) { try pool.withConnection { try PostgresSchema.migrate($0) } }
    }

    deinit { listener?.stop() }

    /// The schema migration this build brings a database to (`PostgresSchema.migrations`).
    package static var schemaVersion: Int { PostgresSchema.migrations.count }

    /// Learns of other servers' commits (`PostgresChangeListener`), for `revision(gun:)`; nil when
    /// nothing is answered from memory.
    let listener: PostgresChangeListener?

    // MARK: The write transaction of the current thread

    /// The write transaction `withWriteLock` has open on this thread (task-local; `body` is
    /// synchronous, so its reads and commits see it).
    final class WriteTransaction: Sendable {
        let store: ObjectIdentifier
        let gun: String
        /// Used only on the thread running `withWriteLock`'s body.
        let connection: PostgresConnection
        /// Set when the transaction stored or deleted metadata (the GUN's revision moves at COMMIT).
        let changedMetadata = Atomic<Bool>(false)

        init(store: ObjectIdentifier, gun: String, connection: PostgresConnection) {
            self.store = store
            self.gun = gun
            self.connection = connection
        }
    }

    @TaskLocal static var writing: WriteTransaction?

    private func openTransaction(gun: String) -> PostgresConnection? {
        guard let active = Self.writing, active.store == ObjectIdentifier(self), ExactName.equal(active.gun, gun) else { return nil }
        return active.connection
    }

    /// The advisory-lock key of `gun`: SHA-256 of its bytes, first 8 bytes big-endian.
    static func lockKey(_ gun: String) -> Int64 {
        Digest.sha256(Array(gun.utf8)).prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// Runs `body` on the GUN's open write transaction if there is one, else on a pooled connection.
    func reading<T>(gun: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        try StorageNames.checkGUN(gun)
        return try Self.mapped(gun: gun) {
            if let connection = openTransaction(gun: gun) { return try body(connection) }
            return try pool.withConnection { connection in try Self.nothingDone { try body(connection) } }
        }
    }

    /// Runs a step that changes nothing (a read, `BEGIN`); a lost connection there is reported as
    /// `PostgresPool.NothingDone`, so the pool may run it again on a new connection.
    static func nothingDone<T>(_ step: () throws -> T) throws -> T {
        do { return try step() } catch let failure as PostgresFailure where failure.kind == .unavailable {
            throw PostgresPool.NothingDone(failure: failure)
        }
    }

    // MARK: MetadataStore

    package func current(gun: String, role: String) throws -> StoredMetadata? {
        try reading(gun: gun) { try $0.execute(PostgresStatements.current, [.text(gun), .text(role)]).storedMetadata() }
    }

    package func version(gun: String, role: String, version: Int64) throws -> StoredMetadata? {
        try reading(gun: gun) { try $0.execute(PostgresStatements.version, [.text(gun), .text(role), .int64(version)]).storedMetadata() }
    }

    package func byHash(gun: String, role: String, sha256Hex: String) throws -> StoredMetadata? {
        try reading(gun: gun) { try $0.execute(PostgresStatements.byHash, [.text(gun), .text(role), .text(sha256Hex.lowercased())]).storedMetadata() }
    }

    package func withWriteLock<T>(gun: String, _ body: () throws -> T) throws -> T {
        try StorageNames.checkGUN(gun)
        if openTransaction(gun: gun) != nil { return try body() }
        return try Self.mapped(gun: gun) {
            try pool.withConnection { connection in
                try Self.nothingDone { try connection.run("BEGIN") }
                let transaction = WriteTransaction(store: ObjectIdentifier(self), gun: gun, connection: connection)
                // After COMMIT (or a failure that may have committed), this server's next GET must
                // not answer from memory; other servers learn it from the NOTIFY.
                defer { if transaction.changedMetadata.load(ordering: .relaxed) { listener?.changed(gunKey: Self.lockKey(gun)) } }
                do {
                    _ = try connection.execute(PostgresStatements.lockGUN, [.int64(Self.lockKey(gun))])
                    let result = try Self.$writing.withValue(transaction) { try body() }
                    try connection.run("COMMIT")
                    return result
                } catch {
                    // A failed ROLLBACK leaves the connection in a transaction; the pool drops it.
                    try? connection.run("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Runs `body` on the GUN's write transaction; outside `withWriteLock`, in one of its own.
    func writing<T>(gun: String, _ body: (PostgresConnection) throws -> T) throws -> T {
        guard let connection = openTransaction(gun: gun) else {
            return try withWriteLock(gun: gun) { try writing(gun: gun, body) }
        }
        return try Self.mapped(gun: gun) { try body(connection) }
    }

    /// Marks the open write transaction of `gun` as changing metadata and queues the notification
    /// every server's `PostgresChangeListener` receives when it commits.
    func notifyChange(_ connection: PostgresConnection, gun: String) throws {
        Self.writing?.changedMetadata.store(true, ordering: .relaxed)
        _ = try connection.execute(PostgresStatements.notifyChange, [.text(String(Self.lockKey(gun)))])
    }

    package func commit(gun: String, updates: [MetadataUpdate]) throws {
        try StorageNames.checkGUN(gun)
        var seen = Set<String>()
        for update in updates {
            try StorageNames.checkRole(update.role, gun: gun)
            guard seen.insert(update.role).inserted else {
                throw StorageError(.versionConflict, gun: gun, role: update.role, "\(update.role) appears twice in one update")
            }
        }
        try writing(gun: gun) { connection in
            let newest = try connection.execute(PostgresStatements.newestVersions, [.text(gun)])
            var stored: [String: Int64] = [:]
            for row in 0..<newest.count { stored[try newest.text(row, 0)] = try newest.int64(row, 1) }
            for update in updates {
                let previous = stored[update.role] ?? 0
                guard update.version > previous else {
                    throw StorageError(.versionConflict, gun: gun, role: update.role,
                                       "\(update.role) version \(update.version) is not newer than stored version \(previous)")
                }
            }
            try notifyChange(connection, gun: gun)
            for update in updates {
                let sha256 = Hex.encode(Digest.sha256(update.bytes))
                _ = try connection.execute(PostgresStatements.insertFile,
                                           [.text(gun), .text(update.role), .int64(update.version), .text(sha256), .bytes(update.bytes)])
                if update.role == RoleName.timestamp {
                    try appendChange(connection, gun: gun, version: update.version, sha256: sha256, category: "update")
                }
            }
        }
    }

    package func delete(gun: String) throws {
        try StorageNames.checkGUN(gun)
        try writing(gun: gun) { connection in
            let deleted = try connection.execute(PostgresStatements.deleteGUN, [.text(gun)])
            guard deleted.affected > 0 else { return }
            try notifyChange(connection, gun: gun)
            try appendChange(connection, gun: gun, version: 0, sha256: "", category: "deletion")
        }
    }

    /// From memory, never a query (the event loop asks on every cached GET): nil while the
    /// listener cannot vouch that it has seen every commit older than its staleness bound
    /// (`PostgresChangeListener`); then nothing is answered from the cache.
    package func revision(gun: String) throws -> StoreRevision? {
        try StorageNames.checkGUN(gun)
        return listener?.revision(gunKey: Self.lockKey(gun))
    }

    // MARK: Changefeed

    private func appendChange(_ connection: PostgresConnection, gun: String, version: Int64, sha256: String, category: String) throws {
        _ = try connection.execute(PostgresStatements.lockChangefeed)
        _ = try connection.execute(PostgresStatements.insertChange, [.text(gun), .int64(version), .text(sha256), .text(category)])
    }

    package func changes(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord] {
        guard let query = ChangefeedQuery(gun: gun, changeID: changeID, records: records) else { return [] }
        let statement = PostgresStatements.changes(query)
        let rows = try Self.mapped(gun: gun) {
            try pool.withConnection { connection in try Self.nothingDone { try connection.execute(statement, query.parameters) } }
        }
        return query.ordered(try rows.changeRecords())
    }
}
