import FoundationEssentials
import SignetCrypto

/// What `signet storage copy` reads from and writes to PostgreSQL (`MetadataSource`'s listing,
/// `MetadataStore.restore` / `restoreChanges`), on `PostgresSchema`'s tables.
extension PostgresStore {
    package func collections() throws -> [String] {
        let rows = try Self.mapped(gun: nil) {
            try pool.withConnection { connection in try Self.nothingDone { try connection.execute(PostgresStatements.collections) } }
        }
        return try (0..<rows.count).map { try rows.text($0, 0) }
    }

    package func history(gun: String) throws -> [StoredVersion] {
        try reading(gun: gun) { connection in
            let rows = try connection.execute(PostgresStatements.history, [.text(gun)])
            return try (0..<rows.count).map { row in
                StoredVersion(role: try rows.text(row, 0), version: try rows.int64(row, 1), sha256: try rows.text(row, 2), created: try rows.date(row, 3))
            }
        }
    }

    /// One transaction under the GUN's write lock; a version already stored is refused by the
    /// table's primary key (`.versionConflict`) and nothing of `files` is kept.
    package func restore(gun: String, files: [StoredMetadata]) throws {
        try StorageNames.checkGUN(gun)
        var seen = Set<String>()
        for file in files {
            try StorageNames.checkRole(file.role, gun: gun)
            guard seen.insert("\(file.role) \(file.version)").inserted else {
                throw StorageError(.versionConflict, gun: gun, role: file.role, "\(file.role) version \(file.version) is given twice")
            }
            guard Hex.encode(Digest.sha256(file.bytes)) == file.sha256 else {
                throw StorageError(.corrupt, gun: gun, role: file.role, "\(file.role) version \(file.version) does not match its sha256 \(file.sha256)")
            }
        }
        try writing(gun: gun) { connection in
            // Servers already on this database drop what they cached of the GUN.
            try notifyChange(connection, gun: gun)
            for file in files {
                _ = try connection.execute(PostgresStatements.restoreFile, [
                    .text(gun), .text(file.role), .int64(file.version), .text(file.sha256), .bytes(file.bytes),
                    .int64(Self.microseconds(file.created)),
                ])
            }
        }
    }

    /// One transaction under the changefeed lock: the IDs are checked against the highest stored
    /// one, inserted, and the ID sequence moved past the last.
    package func restoreChanges(_ records: [ChangeRecord]) throws {
        guard let last = records.last else { return }
        try Self.mapped(gun: nil) {
            try pool.withConnection { connection in
                try Self.nothingDone { try connection.run("BEGIN") }
                do {
                    _ = try connection.execute(PostgresStatements.lockChangefeed)
                    var lowest = (try connection.execute(PostgresStatements.highestChangeID).optionalInt64(0, 0) ?? 0) + 1
                    for record in records {
                        guard record.id >= lowest else {
                            throw StorageError(.versionConflict, gun: record.gun, "change ID \(record.id) is not above \(lowest - 1), the highest the changefeed holds or was given before it")
                        }
                        lowest = record.id + 1
                        _ = try connection.execute(PostgresStatements.restoreChange, [
                            .int64(record.id), .int64(Self.microseconds(record.createdAt)), .text(record.gun), .int64(record.version),
                            .text(record.sha256), .text(record.category),
                        ])
                    }
                    _ = try connection.execute(PostgresStatements.moveChangeSequence, [.int64(last.id)])
                    try connection.run("COMMIT")
                } catch {
                    try? connection.run("ROLLBACK")
                    throw error
                }
            }
        }
    }

    /// Microseconds since 1970 (what the restore statements take), rounded.
    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}
