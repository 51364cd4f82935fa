import FoundationEssentials
import SignetCrypto
import SignetTUF

/// Everything `signet serve` can be configured with, from defaults, a JSON config file and flags
/// (flags win over the file). Every key is documented in `docs/server.md`.
package struct ServeConfiguration: Sendable {
    /// `HOST:PORT` (`[v6]:PORT` for IPv6). Config `server.listen` (or Notary's `server.http_addr`).
    package var listen = "127.0.0.1:4443"
    /// The file store's directory (collections and server keys); with PostgreSQL, only where a
    /// generated key passphrase is kept.
    /// Config `storage.directory`; `--storage DIR`.
    package var storageDirectory = "./signet-data"
    /// A PostgreSQL database (libpq URI) to keep collections in instead of the file store (issue
    /// 13): config `storage.backend` `postgres` with `storage.url` (or Notary's `storage.db_url`),
    /// or `--storage postgres://…`. The password comes apart from it, from `SIGNET_STORAGE_PASSWORD`
    /// or `~/.pgpass`, if not in the URI. Server keys are then in the database too.
    package var storageURL: String?
    /// Config `storage.pool_size`: PostgreSQL connections each server opens at most (1…1000),
    /// default one per worker thread, since each request holds at most one.
    package var storagePoolSize = ServeConfiguration.workerThreads
    /// Config `storage.cache_staleness_ms`: with PostgreSQL, how long after another server's
    /// publish a GET may still be answered from this server's memory with the bytes before it
    /// (0…60000 ms; 0 = every GET reads the database). See `PostgresChangeListener`.
    package var storageCacheStalenessMilliseconds = 1000
    /// Threads that run requests (`HTTPServerConfiguration.workerThreads`).
    package static let workerThreads = 16
    package var tlsCertificateFile: String?
    package var tlsKeyFile: String?
    package var keyAlgorithm: KeyAlgorithm = .ed25519
    package var keyPassphrase: String?
    package var currentMaxAge = 300
    package var consistentMaxAge = 2_592_000
    package var maxBodyBytes = 100 * 1024 * 1024
    package var maxHeaderBytes = 16 * 1024
    /// Config `limits.max_connections`: connections open at once (the event loop's limit, `HTTPServerConfiguration.maxConnections`).
    package var maxConnections = 20_000
    package var readTimeout: Double = 30
    /// Config `limits.first_byte_timeout_seconds`: a new connection must send its first byte within it.
    package var firstByteTimeout: Double = 5
    package var maxRolesPerPublish = 1024
    /// Config `server.ui`; `--no-ui` sets it false (`TrustServerSettings.webPage`).
    package var webPage = true
    /// Config `trust_service.renew_margin_percent` (`TrustServerSettings.renewalPercent`).
    package var renewalPercent = Expiry.defaultRenewalPercent
    /// Config `trust_service.renew_interval_seconds` (`TrustServerSettings.renewalIntervalSeconds`).
    package var renewalIntervalSeconds = 3600
    /// Notary's `repositories.gun_prefixes`.
    package var gunPrefixes: [String] = []
    /// Access control: config `auth` (see `docs/access-control.md`).
    package var auth = AuthSettings()
    /// Policy file named by `auth.policy` or `--policy` (loaded by `resolveAuth()`).
    package var policyFile: String?
    /// `--insecure-no-auth` / `auth.insecure_no_auth`: serve a non-loopback address without auth.
    package var insecureNoAuth = false
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    package var logLevel = "info"

    package init() {}

    /// A configuration problem, named by its key.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Reads a JSON config file over the defaults (decoded by `ConfigFile`).
    /// - Throws: `Problem` naming the file and the key for unreadable files, non-JSON, unknown
    ///   values and out-of-range numbers.
    package static func load(file path: String) throws -> ServeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "cannot read config file \(path)")
        }
        do {
            guard let file = try ConfigDecoding.decode(ConfigFile.self, from: [UInt8](data), objectOnly: true) else {
                throw Problem(description: "config file \(path) is not a JSON object")
            }
            return file.configuration
        } catch let problem as ConfigProblem {
            throw Problem(description: "\(path): \(problem.text)")
        }
    }

    /// Loads `policyFile` into `auth.policy`.
    /// - Throws: `Problem` naming the file.
    package mutating func resolveAuth() throws {
        if let policyFile {
            do { auth.policy = try AccessPolicy.load(file: policyFile) } catch { throw Problem(description: "\(error)") }
        }
    }

    /// True for a libpq connection URI (`postgres://` or `postgresql://`, libpq §34.1.1).
    package static func isPostgresURL(_ value: String) -> Bool {
        value.hasPrefix("postgres://") || value.hasPrefix("postgresql://")
    }

    /// `--storage VALUE`: a PostgreSQL URI selects the database; anything else is the directory
    /// (and selects the file store).
    package mutating func setStorage(_ value: String) {
        if Self.isPostgresURL(value) { storageURL = value } else { storageURL = nil; storageDirectory = value }
    }

    /// What startup lines name as the storage: the directory, or "PostgreSQL database" — never
    /// the URI, which may hold a password.
    package var storageDescription: String {
        storageURL == nil ? storageDirectory : "\(PostgresConnectionParameters(url: ""))"
    }

    /// Splits `listen` into host and port. `[::1]:4443` and `host:4443` are accepted.
    package func hostAndPort() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw Problem(description: "listen address \(listen) is not HOST:PORT")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// The trust server's settings from this configuration.
    package var settings: TrustServerSettings {
        var settings = TrustServerSettings(storageDirectory: storageDirectory)
        settings.keyAlgorithm = keyAlgorithm
        settings.keyPassphrase = keyPassphrase
        settings.currentMaxAge = currentMaxAge
        settings.consistentMaxAge = consistentMaxAge
        settings.maxRolesPerPublish = maxRolesPerPublish
        settings.gunPrefixes = gunPrefixes
        settings.webPage = webPage
        settings.renewalPercent = renewalPercent
        settings.renewalIntervalSeconds = renewalIntervalSeconds
        return settings
    }
}
