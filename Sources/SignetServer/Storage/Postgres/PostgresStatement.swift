/// A named SQL statement, prepared once per connection (`PQprepare`) on first use.
struct PostgresStatement: Sendable {
    /// The prepared statement's name, unique within the store.
    var name: String
    /// SQL with `$1`, `$2`, … placeholders (parameters are bound in binary, never interpolated).
    var sql: String
}
