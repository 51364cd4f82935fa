import FoundationEssentials

/// How to reach the database: a libpq connection URI plus an optional password kept apart from it.
///
/// `url` is a libpq URI (`postgres://user@host:port/db`, `postgresql:///db?host=/run/socket-dir`;
/// libpq documentation §34.1.1). The password comes from `password` (the serve command reads
/// `SIGNET_STORAGE_PASSWORD`), else from the URI, else from libpq's own `~/.pgpass` / `PGPASSFILE`.
/// Neither the password nor the URI (which may embed one) ever appears in `description`, errors or
/// logs.
package struct PostgresConnectionParameters: Sendable, CustomStringConvertible {
    package var url: String
    package var password: String?
    /// Seconds libpq waits for a connection before giving up (`connect_timeout`).
    package var connectTimeoutSeconds: Int

    package init(url: String, password: String? = nil, connectTimeoutSeconds: Int = 5) {
        self.url = url
        self.password = password
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// libpq's keyword/value pairs, in order: later pairs override what the URI (expanded from
    /// `dbname`) sets, so an explicit password wins over one in the URI.
    var keywords: [(String, String)] {
        var pairs = [("connect_timeout", String(connectTimeoutSeconds)), ("dbname", url), ("application_name", "signet")]
        if let password { pairs.append(("password", password)) }
        return pairs
    }

    /// Names the server without credentials: "PostgreSQL database".
    package var description: String { "PostgreSQL database" }
}
