import FoundationEssentials
import SignetCrypto
import SignetSupport

/// Everything `signet serve` can be configured with, from defaults, a JSON config file and flags
/// (flags win over the file). Every key is documented in `docs/server.md`.
public struct ServeConfiguration: Sendable {
    /// `HOST:PORT` (`[v6]:PORT` for IPv6). Config `server.listen` (or Notary's `server.http_addr`).
    public var listen = "127.0.0.1:4443"
    public var storageDirectory = "./signet-data"
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    public var keyAlgorithm: KeyAlgorithm = .ed25519
    public var keyPassphrase: String?
    public var currentMaxAge = 300
    public var consistentMaxAge = 2_592_000
    public var maxBodyBytes = 100 * 1024 * 1024
    public var maxHeaderBytes = 16 * 1024
    public var maxConnections = 512
    public var readTimeout: Double = 30
    /// Config `limits.first_byte_timeout_seconds`: a new connection must send its first byte within it.
    public var firstByteTimeout: Double = 5
    public var maxRolesPerPublish = 1024
    /// Notary's `repositories.gun_prefixes`.
    public var gunPrefixes: [String] = []
    /// Access control: config `auth` (see `docs/access-control.md`).
    public var auth = AuthSettings()
    /// Policy file named by `auth.policy` or `--policy` (loaded by `resolveAuth()`).
    public var policyFile: String?
    /// `--insecure-no-auth` / `auth.insecure_no_auth`: serve a non-loopback address without auth.
    public var insecureNoAuth = false
    /// `trace`, `debug`, `info`, `notice`, `warning`, `error`, `critical`.
    public var logLevel = "info"

    public init() {}

    /// A configuration problem, named by its key.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a JSON config file over the defaults.
    /// - Throws: `Problem` naming the file and the key for unreadable files, non-JSON, unknown
    ///   values and out-of-range numbers.
    public static func load(file path: String) throws -> ServeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "cannot read config file \(path)")
        }
        guard let object = JSONObject.parse([UInt8](data)) as? [String: Any] else {
            throw Problem(description: "config file \(path) is not a JSON object")
        }
        var config = ServeConfiguration()
        func section(_ name: String) -> [String: Any] { object[name] as? [String: Any] ?? [:] }
        func string(_ value: Any?, _ key: String) throws -> String? {
            guard let value else { return nil }
            guard let text = value as? String else { throw Problem(description: "\(path): \(key) must be a string") }
            return text
        }
        func int(_ value: Any?, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value else { return nil }
            guard let number = value as? Int, range.contains(number) else {
                throw Problem(description: "\(path): \(key) must be an integer in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        let server = section("server")
        if let listen = try string(server["listen"] ?? server["http_addr"], "server.listen") { config.listen = listen }
        config.tlsCertificateFile = try string(server["tls_cert_file"], "server.tls_cert_file")
        config.tlsKeyFile = try string(server["tls_key_file"], "server.tls_key_file")
        if let directory = try string(section("storage")["directory"], "storage.directory") { config.storageDirectory = directory }
        let trust = section("trust_service")
        if let algorithm = try string(trust["key_algorithm"], "trust_service.key_algorithm") {
            switch algorithm {
            case "ed25519": config.keyAlgorithm = .ed25519
            case "ecdsa": config.keyAlgorithm = .ecdsa
            default: throw Problem(description: "\(path): trust_service.key_algorithm must be ed25519 or ecdsa, not \(algorithm)")
            }
        }
        config.keyPassphrase = try string(trust["key_passphrase"], "trust_service.key_passphrase")
        let maxAge = (section("caching")["max_age"] as? [String: Any]) ?? [:]
        if let value = try int(maxAge["current_metadata"], "caching.max_age.current_metadata", 0...31_536_000) { config.currentMaxAge = value }
        if let value = try int(maxAge["consistent_metadata"], "caching.max_age.consistent_metadata", 0...31_536_000) { config.consistentMaxAge = value }
        let limits = section("limits")
        if let value = try int(limits["max_body_bytes"], "limits.max_body_bytes", 1024...(1 << 34)) { config.maxBodyBytes = value }
        if let value = try int(limits["max_header_bytes"], "limits.max_header_bytes", 1024...(1 << 20)) { config.maxHeaderBytes = value }
        if let value = try int(limits["max_connections"], "limits.max_connections", 1...100_000) { config.maxConnections = value }
        if let value = try int(limits["read_timeout_seconds"], "limits.read_timeout_seconds", 1...3600) { config.readTimeout = Double(value) }
        if let value = try int(limits["first_byte_timeout_seconds"], "limits.first_byte_timeout_seconds", 1...3600) { config.firstByteTimeout = Double(value) }
        if let value = try int(limits["max_roles_per_publish"], "limits.max_roles_per_publish", 4...100_000) { config.maxRolesPerPublish = value }
        if let level = try string(section("logging")["level"], "logging.level") { config.logLevel = level }
        if let prefixes = section("repositories")["gun_prefixes"] {
            guard let list = prefixes as? [String] else { throw Problem(description: "\(path): repositories.gun_prefixes must be a list of strings") }
            for prefix in list {
                // notary-server's rule: clean, ending in "/", not starting with "/" or "..".
                let clean = PathText.standardizing(prefix) + "/"
                guard prefix.hasSuffix("/"), !prefix.hasPrefix("/"), !prefix.hasPrefix(".."), clean == prefix else {
                    throw Problem(description: "\(path): GUN prefix \(prefix) must be a clean path ending in / that does not start with / or ..")
                }
            }
            config.gunPrefixes = list
        }
        try loadAuth(object["auth"], path: path, into: &config)
        return config
    }

    /// The `auth` section: `htpasswd`, `token` {realm, service, issuer, rootcertbundle|key_file},
    /// `tls_client_ca`, `policy` (file name or inline `{"rules": …}`), `max_failed_logins_per_minute`,
    /// `realm` (built-in token realm URL), `insecure_no_auth`. Notary's own form
    /// `{"type": "token", "options": {…}}` is accepted too.
    static func loadAuth(_ value: Any?, path: String, into config: inout ServeConfiguration) throws {
        guard let value else { return }
        guard let auth = value as? [String: Any] else { throw Problem(description: "\(path): auth must be an object") }
        func string(_ object: [String: Any], _ key: String, _ name: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value as? String, !text.isEmpty else { throw Problem(description: "\(path): \(name) must be a non-empty string") }
            return text
        }
        let known: Set<String> = ["htpasswd", "token", "tls_client_ca", "policy", "max_failed_logins_per_minute", "realm", "insecure_no_auth", "type", "options"]
        if let unknown = auth.keys.first(where: { !known.contains($0) }) { throw Problem(description: "\(path): unknown key auth.\(unknown)") }
        config.auth.htpasswdFile = try string(auth, "htpasswd", "auth.htpasswd")
        config.auth.tlsClientCAFile = try string(auth, "tls_client_ca", "auth.tls_client_ca")
        config.auth.builtInRealm = try string(auth, "realm", "auth.realm")
        var tokenSection = auth["token"]
        if let type = auth["type"] as? String {
            guard type == "token" else { throw Problem(description: "\(path): auth.type must be token (Notary's form) or absent") }
            tokenSection = auth["options"]
        }
        if let tokenSection {
            guard let token = tokenSection as? [String: Any] else { throw Problem(description: "\(path): auth.token must be an object") }
            guard let realm = try string(token, "realm", "auth.token.realm"), let service = try string(token, "service", "auth.token.service"),
                  let issuer = try string(token, "issuer", "auth.token.issuer"),
                  let key = try string(token, "rootcertbundle", "auth.token.rootcertbundle") ?? string(token, "key_file", "auth.token.key_file")
            else { throw Problem(description: "\(path): auth.token needs realm, service, issuer and rootcertbundle (or key_file)") }
            config.auth.token = AuthSettings.Token(realm: realm, service: service, issuer: issuer, keyFile: key)
        }
        if let policy = auth["policy"] {
            if let file = policy as? String {
                config.policyFile = file
            } else {
                do { config.auth.policy = try AccessPolicy.parse(policy, source: "\(path): auth.policy") } catch { throw Problem(description: "\(error)") }
            }
        }
        if let limit = auth["max_failed_logins_per_minute"] {
            guard let number = limit as? Int, (1...10_000).contains(number) else {
                throw Problem(description: "\(path): auth.max_failed_logins_per_minute must be an integer in 1…10000")
            }
            config.auth.maxFailedLoginsPerMinute = number
        }
        if let insecure = auth["insecure_no_auth"] {
            guard let flag = insecure as? Bool else { throw Problem(description: "\(path): auth.insecure_no_auth must be true or false") }
            config.insecureNoAuth = flag
        }
    }

    /// Loads `policyFile` into `auth.policy`.
    /// - Throws: `Problem` naming the file.
    public mutating func resolveAuth() throws {
        if let policyFile {
            do { auth.policy = try AccessPolicy.load(file: policyFile) } catch { throw Problem(description: "\(error)") }
        }
    }

    /// True for `127.0.0.0/8`, `::1` and `localhost`.
    public static func isLoopback(host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Splits `listen` into host and port. `[::1]:4443` and `host:4443` are accepted.
    public func hostAndPort() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
            throw Problem(description: "listen address \(listen) is not HOST:PORT")
        }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// The trust server's settings from this configuration.
    public var settings: TrustServerSettings {
        var settings = TrustServerSettings(storageDirectory: storageDirectory)
        settings.keyAlgorithm = keyAlgorithm
        settings.keyPassphrase = keyPassphrase
        settings.currentMaxAge = currentMaxAge
        settings.consistentMaxAge = consistentMaxAge
        settings.maxRolesPerPublish = maxRolesPerPublish
        settings.gunPrefixes = gunPrefixes
        return settings
    }
}
