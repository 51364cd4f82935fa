import FoundationEssentials

/// What went wrong talking to PostgreSQL, as the wrapper reports it; `PostgresStore` turns it into
/// the storage error in one place (`PostgresStore+Errors.swift`).
///
/// Messages come from libpq (`PQerrorMessage`, `PQresultErrorMessage`) and from this module; they
/// never hold the connection password: libpq does not echo it, and the connection URL is never part
/// of a message (`PostgresConnectionParameters.description` names host, port and database only).
struct PostgresFailure: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// No connection could be made or the connection was lost (server down, restarting, network).
        case unavailable
        /// The server refused a statement; `sqlState` is its five-character SQLSTATE.
        case statement
        /// A result did not have the shape the store expects (column count, type width, size bound).
        case malformedResult
        /// The server refused the login: password authentication failed, no password was given, the
        /// user does not exist, or `pg_hba.conf` has no entry for this client.
        case loginRefused
        /// The database's schema is newer than this build's migrations.
        case newerSchema
    }

    var kind: Kind
    /// The SQLSTATE for `.statement` (e.g. `23505` unique violation, `40P01` deadlock), else "".
    var sqlState: String
    var message: String

    init(_ kind: Kind, sqlState: String = "", _ message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// `23505`: a UNIQUE constraint refused the row (a version stored twice).
    var isUniqueViolation: Bool { kind == .statement && sqlState == "23505" }

    /// SQLSTATE classes 08 (connection exception), 57P (operator intervention: shutdown, crash
    /// recovery) and 53 (insufficient resources) mean the database is not usable right now.
    var isOutage: Bool {
        kind == .unavailable || sqlState.hasPrefix("08") || sqlState.hasPrefix("57P") || sqlState.hasPrefix("53")
    }

    /// Whether a failed connection attempt's message (libpq's, with the server's `FATAL` text) says
    /// the login was refused rather than the server being unreachable. libpq gives no SQLSTATE for
    /// connection failures, so this reads PostgreSQL's (untranslated, `lc_messages` C) wording of
    /// SQLSTATE 28P01 / 28000; a translated message stays `.unavailable`.
    static func isLoginRefusal(_ message: String) -> Bool {
        ["password authentication failed", "authentication failed for user", "no password supplied",
         "no pg_hba.conf entry", "pg_hba.conf rejects connection"].contains { message.contains($0) }
            || (message.contains("FATAL:") && message.contains("role \"") && message.contains("\" does not exist"))
    }

    var description: String { sqlState.isEmpty ? message : "\(message) (SQLSTATE \(sqlState))" }
}
