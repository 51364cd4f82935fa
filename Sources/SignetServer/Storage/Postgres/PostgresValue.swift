import FoundationEssentials

/// One statement parameter, always sent in PostgreSQL's binary format (no quoting, no escaping:
/// `bytea` goes as raw bytes, `int8` as 8 big-endian bytes).
enum PostgresValue: Sendable {
    case int64(Int64)
    case text(String)
    case bytes([UInt8])
    /// A `timestamptz`, to the microsecond.
    case timestamp(Date)

    /// The parameter's type OID (`pg_type.oid`): int8 20, text 25, bytea 17, timestamptz 1184.
    var typeOID: UInt32 {
        switch self {
        case .int64: return 20
        case .text: return 25
        case .bytes: return 17
        case .timestamp: return 1184
        }
    }

    /// The binary wire encoding.
    var encoded: [UInt8] {
        switch self {
        case .int64(let value): return withUnsafeBytes(of: value.bigEndian) { Array($0) }
        case .text(let value): return Array(value.utf8)
        case .bytes(let value): return value
        case .timestamp(let date):
            // Binary timestamptz: microseconds since 2000-01-01 00:00:00 UTC, as `date(_:_:)` reads it.
            let microseconds = ((date.timeIntervalSince1970 - PostgresRows.epoch2000) * 1_000_000).rounded()
            let clamped = Int64(exactly: microseconds) ?? (microseconds < 0 ? Int64.min : Int64.max)
            return withUnsafeBytes(of: clamped.bigEndian) { Array($0) }
        }
    }
}

/// The rows of one result, copied out of libpq's `PGresult` in binary format: `cells[row][column]`
/// is nil for SQL NULL. Accessors decode the binary forms the store selects and throw
/// `PostgresFailure(.malformedResult)` on any other shape.
struct PostgresRows: Sendable {
    var cells: [[[UInt8]?]]
    /// Rows changed by an INSERT/UPDATE/DELETE (`PQcmdTuples`), 0 otherwise.
    var affected: Int

    var count: Int { cells.count }

    /// PostgreSQL's epoch, 2000-01-01 00:00:00 UTC, in seconds since 1970.
    static let epoch2000: Double = 946_684_800

    private func cell(_ row: Int, _ column: Int) throws -> [UInt8] {
        guard row < cells.count, column < cells[row].count, let value = cells[row][column] else {
            throw PostgresFailure(.malformedResult, "row \(row) column \(column) is missing or NULL")
        }
        return value
    }

    /// An `int8` column.
    func int64(_ row: Int, _ column: Int) throws -> Int64 {
        let value = try cell(row, column)
        guard value.count == 8 else { throw PostgresFailure(.malformedResult, "column \(column) is \(value.count) bytes, not an int8") }
        return value.reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// An `int8` column that may be NULL (e.g. `max()` over no rows).
    func optionalInt64(_ row: Int, _ column: Int) throws -> Int64? {
        guard row < cells.count, column < cells[row].count else { throw PostgresFailure(.malformedResult, "row \(row) column \(column) is missing") }
        return cells[row][column] == nil ? nil : try int64(row, column)
    }

    /// A `text` column (UTF-8).
    func text(_ row: Int, _ column: Int) throws -> String {
        String(decoding: try cell(row, column), as: UTF8.self)
    }

    /// A `bytea` column.
    func bytes(_ row: Int, _ column: Int) throws -> [UInt8] { try cell(row, column) }

    /// A `timestamptz` column: binary form is microseconds since 2000-01-01 00:00:00 UTC.
    func date(_ row: Int, _ column: Int) throws -> Date {
        let microseconds = try int64(row, column)
        return Date(timeIntervalSince1970: Self.epoch2000 + Double(microseconds) / 1_000_000)
    }
}
