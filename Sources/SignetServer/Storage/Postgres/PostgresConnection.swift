internal import CLibPQ
import FoundationEssentials
import Glibc
import SignetSupport

/// One libpq connection (`PGconn`), owned and freed here; the only file that calls libpq.
///
/// Used by one thread at a time (`PostgresPool` hands it out). Statements are prepared once per
/// connection on first use (`PQprepare`) and executed with binary parameters and binary results
/// (`PQexecPrepared`, result format 1). Every libpq status goes through `check(_:_:)`, which turns a
/// failed result into a `PostgresFailure` (SQLSTATE, message) and marks the connection broken when
/// libpq reports `CONNECTION_BAD`.
final class PostgresConnection: @unchecked Sendable {
    // @unchecked Sendable: used by one thread at a time, handed over through PostgresPool's lock.
    private let connection: OpaquePointer
    private var prepared: Set<String> = []

    /// Largest result the store accepts from one statement (bytes over all cells): the store never
    /// selects more than one role file or one page of changefeed rows at a time.
    static let maxResultBytes = 256 * 1024 * 1024

    /// Loads libpq.so.5 the first time (CLibPQLoader; commands without PostgreSQL never load it).
    /// - Throws: `PostgresFailure(.unavailable)` naming what is missing (the library or a function).
    static func loadLibrary() throws {
        var reason = [CChar](repeating: 0, count: 512)
        guard signet_pq_load(&reason, UInt(reason.count)) == 1 else {
            throw PostgresFailure(.unavailable, "cannot load libpq: \(String(decoding: reason.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    /// Connects (blocking, at most `connectTimeoutSeconds`).
    /// - Throws: `PostgresFailure(.loginRefused)` when the server refuses the login (wrong password,
    ///   unknown user), else `PostgresFailure(.unavailable)`, with libpq's message.
    init(_ parameters: PostgresConnectionParameters) throws {
        try Self.loadLibrary()
        let pairs = parameters.keywords
        let keywords = pairs.map { strdup($0.0) } + [nil]
        let values = pairs.map { strdup($0.1) } + [nil]
        defer {
            for pointer in keywords { free(pointer) }
            for pointer in values { free(pointer) }
        }
        let keywordPointers: [UnsafePointer<CChar>?] = keywords.map { $0.map { UnsafePointer($0) } }
        let valuePointers: [UnsafePointer<CChar>?] = values.map { $0.map { UnsafePointer($0) } }
        let made: OpaquePointer? = keywordPointers.withUnsafeBufferPointer { keywordBuffer in
            valuePointers.withUnsafeBufferPointer { valueBuffer in
                PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 1)
            }
        }
        guard let made else { throw PostgresFailure(.unavailable, "libpq could not allocate a connection") }
        guard PQstatus(made) == CONNECTION_OK else {
            let message = Self.text(PQerrorMessage(made))
            PQfinish(made)
            if PostgresFailure.isLoginRefusal(message) {
                throw PostgresFailure(.loginRefused, "the \(parameters) refused the login: \(message)")
            }
            throw PostgresFailure(.unavailable, "cannot connect to the \(parameters): \(message)")
        }
        signet_pq_silence_notices(made)
        connection = made
    }

    deinit { PQfinish(connection) }

    /// False once libpq has seen the connection fail; a broken connection is dropped, never reused.
    ///
    /// Also reads whatever the server sent while the connection sat idle (`PQconsumeInput`): a
    /// server that shut down has closed the socket, and this notices it before the next statement.
    var isUsable: Bool {
        guard PQstatus(connection) == CONNECTION_OK else { return false }
        if PQconsumeInput(connection) == 0 { return false }
        return PQstatus(connection) == CONNECTION_OK && PQtransactionStatus(connection) == PQTRANS_IDLE
    }

    /// The socket libpq talks to the server on (to wait for notifications with `poll`), or -1.
    var socketDescriptor: Int32 { PQsocket(connection) }

    /// The notifications (`LISTEN`/`NOTIFY`) received so far, oldest first: what earlier statements'
    /// answers carried plus what the socket holds now (read without blocking: libpq's socket is
    /// non-blocking).
    /// - Throws: `PostgresFailure(.unavailable)` when the connection is lost.
    func notifications() throws -> [(channel: String, payload: String)] {
        guard PQconsumeInput(connection) == 1 else {
            throw PostgresFailure(.unavailable, "reading notifications: \(Self.text(PQerrorMessage(connection)))")
        }
        var received: [(channel: String, payload: String)] = []
        while let notification = PQnotifies(connection) {
            received.append((String(cString: notification.pointee.relname), String(cString: notification.pointee.extra)))
            PQfreemem(notification)
        }
        return received
    }

    /// Runs one or more parameterless statements with the simple query protocol (`BEGIN`,
    /// `COMMIT`, migrations' DDL).
    func run(_ sql: String) throws {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        try check(result, "running \(sql.prefix(40))")
    }

    /// Executes `statement` (preparing it on this connection first if needed) with `parameters`.
    /// - Throws: `PostgresFailure` for a refused statement, a lost connection or a result over
    ///   `maxResultBytes`.
    func execute(_ statement: PostgresStatement, _ parameters: [PostgresValue] = []) throws -> PostgresRows {
        if !prepared.contains(statement.name) {
            let types = parameters.map { $0.typeOID }
            let result = PQprepare(connection, statement.name, statement.sql, Int32(types.count), types)
            defer { PQclear(result) }
            try check(result, "preparing \(statement.name)")
            prepared.insert(statement.name)
        }
        let encoded = parameters.map { $0.encoded }
        guard encoded.allSatisfy({ $0.count <= Int(Int32.max) }) else {
            throw PostgresFailure(.statement, "\(statement.name): a parameter is over \(Int32.max) bytes")
        }
        let lengths = encoded.map { Int32($0.count) }
        let formats = [Int32](repeating: 1, count: encoded.count)
        // Each parameter's bytes must stay alive during the call: copy them into one buffer.
        var offsets: [Int] = []
        var joined: [UInt8] = []
        for bytes in encoded {
            offsets.append(joined.count)
            joined += bytes
        }
        if joined.isEmpty { joined = [0] }
        let result: OpaquePointer? = joined.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            let pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
            return PQexecPrepared(connection, statement.name, Int32(encoded.count), pointers, lengths, formats, 1)
        }
        defer { PQclear(result) }
        try check(result, statement.name)
        return try rows(result!)
    }

    private func rows(_ result: OpaquePointer) throws -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var cells: [[[UInt8]?]] = []
        cells.reserveCapacity(rowCount)
        var total = 0
        for row in 0..<rowCount {
            var values: [[UInt8]?] = []
            for column in 0..<columnCount {
                if PQgetisnull(result, Int32(row), Int32(column)) == 1 {
                    values.append(nil)
                    continue
                }
                let length = Int(PQgetlength(result, Int32(row), Int32(column)))
                let (sum, overflow) = total.addingReportingOverflow(length)
                guard !overflow, sum <= Self.maxResultBytes, length >= 0 else {
                    throw PostgresFailure(.malformedResult, "a result is larger than \(Self.maxResultBytes) bytes")
                }
                total = sum
                let pointer = PQgetvalue(result, Int32(row), Int32(column))!
                values.append(pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) })
            }
            cells.append(values)
        }
        let affected = Int(Self.text(PQcmdTuples(result))) ?? 0
        return PostgresRows(cells: cells, affected: affected)
    }

    /// The one place a libpq result status becomes a Swift error.
    private func check(_ result: OpaquePointer?, _ what: String) throws {
        let status = result.map { PQresultStatus($0) } ?? PGRES_FATAL_ERROR
        if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK { return }
        let sqlState = result.flatMap { PQresultErrorField($0, signet_pq_diag_sqlstate()) }.map { Self.text($0) } ?? ""
        let detail = result.map { Self.text(PQresultErrorMessage($0)) } ?? ""
        let message = "\(what): \(detail.isEmpty ? Self.text(PQerrorMessage(connection)) : detail)"
        if PQstatus(connection) != CONNECTION_OK {
            throw PostgresFailure(.unavailable, sqlState: sqlState, message)
        }
        throw PostgresFailure(.statement, sqlState: sqlState, message)
    }

    /// A libpq message on one line: its lines (libpq indents hints with a tab) trimmed and joined.
    private static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer).split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { String($0).trimmingWhitespaceAndNewlines() }.filter { !$0.isEmpty }.joined(separator: " ")
    }
}
