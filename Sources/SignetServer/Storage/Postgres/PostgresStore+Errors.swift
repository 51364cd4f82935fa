import FoundationEssentials

extension PostgresStore {
    /// The one place a `PostgresFailure` becomes a `StorageError` (answered by
    /// `Routes/ErrorResponse.swift`):
    /// - a UNIQUE violation (a version stored twice: a concurrent publish won) is `.versionConflict`
    ///   (`400 VERSION`);
    /// - an outage (no connection, connection lost, server shutting down or out of resources) is
    ///   `.unavailable` (`503 UNAVAILABLE`; the same request may work later);
    /// - a refused login is `.loginRefused` (also `503`, but `signet serve` says what it is at start);
    /// - a schema newer than this build's is `.incompatible` (refused at start);
    /// - a result that does not have the shape the store wrote is `.corrupt` (`500 UNKNOWN`);
    /// - any other refused statement is `.io` (`500 UPDATING`), with its SQLSTATE in the log.
    /// Other errors (`StorageError` from the version checks, what a write-lock body throws) pass
    /// through unchanged. Reasons never hold the password or the connection URI (`PostgresFailure`).
    static func mapped<T>(gun: String?, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as PostgresFailure {
            throw storageError(failure, gun: gun)
        }
    }

    static func storageError(_ failure: PostgresFailure, gun: String?) -> StorageError {
        if failure.isUniqueViolation { return StorageError(.versionConflict, gun: gun, "a version is already stored: \(failure)") }
        if failure.kind == .loginRefused { return StorageError(.loginRefused, gun: gun, "\(failure)") }
        if failure.kind == .newerSchema { return StorageError(.incompatible, gun: gun, "\(failure)") }
        if failure.isOutage { return StorageError(.unavailable, gun: gun, "\(failure)") }
        if failure.kind == .malformedResult { return StorageError(.corrupt, gun: gun, "\(failure)") }
        return StorageError(.io, gun: gun, "\(failure)")
    }
}
