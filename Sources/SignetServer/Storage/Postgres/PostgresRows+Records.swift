import FoundationEssentials

extension PostgresRows {
    /// The first row as a stored version (columns: role, version, sha256, created_at, data), nil
    /// without rows.
    /// - Throws: `PostgresFailure(.malformedResult)` for another shape.
    func storedMetadata() throws -> StoredMetadata? {
        guard count > 0 else { return nil }
        return StoredMetadata(role: try text(0, 0), version: try int64(0, 1), sha256: try text(0, 2), created: try date(0, 3), bytes: try bytes(0, 4))
    }

    /// Every row as a changefeed record (columns: id, created_at, gun, version, sha256, category).
    /// - Throws: `PostgresFailure(.malformedResult)` for another shape.
    func changeRecords() throws -> [ChangeRecord] {
        try (0..<count).map { row in
            ChangeRecord(id: try int64(row, 0), createdAt: try date(row, 1), gun: try text(row, 2),
                         version: try int64(row, 3), sha256: try text(row, 4), category: try text(row, 5))
        }
    }
}

/// `MetadataSource.changes(gun:changeID:records:)`'s paging (the file store's rule) as a changefeed
/// query: its direction, its parameters ($1 change ID, $2 limit, $3 GUN when filtered) and the
/// order of its result. Used for Signet's changefeed and for notary-server's.
struct ChangefeedQuery {
    /// The records after the change ID (oldest first), else the records before it (newest first).
    let after: Bool
    let parameters: [PostgresValue]

    /// nil when nothing can match: with `records` ≥ 0, a negative change ID starts after the end.
    init?(gun: String?, changeID: Int64, records: Int) {
        if records >= 0 && changeID < 0 { return nil }
        after = records >= 0
        let limit = records >= 0 ? Int64(records) : (records == Int.min ? Int64.max : Int64(-records))
        parameters = [.int64(changeID), .int64(limit)] + (gun.map { [.text($0)] } ?? [])
    }

    /// The statement over `table` selecting `columns` (`changeRecords()`'s), named `prefix_changes_…`.
    func statement(table: String, columns: String, prefix: String) -> PostgresStatement {
        let range = after ? "id > $1" : "($1 < 0 OR id < $1)"
        let filtered = parameters.count == 3
        return PostgresStatement(name: "\(prefix)_changes_\(after ? "after" : "before")\(filtered ? "_gun" : "")",
            sql: "SELECT \(columns) FROM \(table) WHERE \(range)\(filtered ? " AND gun = $3" : "") ORDER BY \(after ? "id" : "id DESC") LIMIT $2")
    }

    /// The query's rows as `changes` returns them: oldest first.
    func ordered(_ records: [ChangeRecord]) -> [ChangeRecord] { after ? records : records.reversed() }
}
