import FoundationEssentials
import SignetCrypto
import SignetSupport

/// `signet serve`'s config file as `JSONDecoder` reads it (every key in `docs/server.md`): each
/// key found replaces the default in `configuration`. Unknown keys are ignored except in `auth`;
/// a section that is not an object is ignored; a key with the wrong type (`null` included), an
/// unknown value or a number out of range is a `ConfigProblem` naming the key.
struct ConfigFile: Decodable {
    var configuration = ServeConfiguration()

    init(from decoder: Decoder) throws {
        let file = try decoder.container(keyedBy: ConfigKey.self)
        var config = ServeConfiguration()
        if let server = file.section("server") {
            if let listen = try server.value(server.contains(ConfigKey("listen")) ? "listen" : "http_addr", as: String.self, "server.listen must be a string") {
                config.listen = listen
            }
            config.tlsCertificateFile = try server.value("tls_cert_file", as: String.self, "server.tls_cert_file must be a string")
            config.tlsKeyFile = try server.value("tls_key_file", as: String.self, "server.tls_key_file must be a string")
            if let ui = try server.value("ui", as: Bool.self, "server.ui must be true or false") { config.webPage = ui }
        }
        let storage = file.section("storage")
        if let directory = try storage?.value("directory", as: String.self, "storage.directory must be a string") {
            config.storageDirectory = directory
        }
        let url = try storage?.value(storage?.contains(ConfigKey("url")) == true ? "url" : "db_url", as: String.self, "storage.url must be a string")
        switch try storage?.value("backend", as: String.self, "storage.backend must be a string") ?? "file" {
        case "file":
            guard url == nil else { throw ConfigProblem("storage.url is set but storage.backend is file; set storage.backend to postgres") }
        case "postgres":
            guard let url, ServeConfiguration.isPostgresURL(url) else {
                throw ConfigProblem("storage.backend postgres needs storage.url, a postgres:// or postgresql:// URI")
            }
            config.storageURL = url
        case let other:
            throw ConfigProblem("storage.backend must be file or postgres, not \(other)")
        }
        // Read with the file store too: a `--storage postgres://…` flag may select the database.
        if let poolSize = try storage?.integer("pool_size", "storage.pool_size", in: 1...1000) { config.storagePoolSize = poolSize }
        if let staleness = try storage?.integer("cache_staleness_ms", "storage.cache_staleness_ms", in: 0...60_000) {
            config.storageCacheStalenessMilliseconds = staleness
        }
        if let trust = file.section("trust_service") {
            if let algorithm = try trust.value("key_algorithm", as: String.self, "trust_service.key_algorithm must be a string") {
                switch algorithm {
                case "ed25519": config.keyAlgorithm = .ed25519
                case "ecdsa": config.keyAlgorithm = .ecdsa
                default: throw ConfigProblem("trust_service.key_algorithm must be ed25519 or ecdsa, not \(algorithm)")
                }
            }
            config.keyPassphrase = try trust.value("key_passphrase", as: String.self, "trust_service.key_passphrase must be a string")
            if let value = try trust.integer("renew_margin_percent", "trust_service.renew_margin_percent", in: 0...99) { config.renewalPercent = value }
            if let value = try trust.integer("renew_interval_seconds", "trust_service.renew_interval_seconds", in: 1...86400) { config.renewalIntervalSeconds = value }
        }
        if let maxAge = file.section("caching")?.section("max_age") {
            if let value = try maxAge.integer("current_metadata", "caching.max_age.current_metadata", in: 0...31_536_000) { config.currentMaxAge = value }
            if let value = try maxAge.integer("consistent_metadata", "caching.max_age.consistent_metadata", in: 0...31_536_000) { config.consistentMaxAge = value }
        }
        if let limits = file.section("limits") {
            if let value = try limits.integer("max_body_bytes", "limits.max_body_bytes", in: 1024...(1 << 34)) { config.maxBodyBytes = value }
            if let value = try limits.integer("max_header_bytes", "limits.max_header_bytes", in: 1024...(1 << 20)) { config.maxHeaderBytes = value }
            if let value = try limits.integer("max_connections", "limits.max_connections", in: 1...100_000) { config.maxConnections = value }
            if let value = try limits.integer("read_timeout_seconds", "limits.read_timeout_seconds", in: 1...3600) { config.readTimeout = Double(value) }
            if let value = try limits.integer("first_byte_timeout_seconds", "limits.first_byte_timeout_seconds", in: 1...3600) { config.firstByteTimeout = Double(value) }
            if let value = try limits.integer("max_roles_per_publish", "limits.max_roles_per_publish", in: 4...100_000) { config.maxRolesPerPublish = value }
        }
        if let level = try file.section("logging")?.value("level", as: String.self, "logging.level must be a string") { config.logLevel = level }
        if let prefixes = try file.section("repositories")?.value("gun_prefixes", as: [String].self, "repositories.gun_prefixes must be a list of strings") {
            for prefix in prefixes {
                // notary-server's rule: clean, ending in "/", not starting with "/" or "..".
                let clean = PathText.standardizing(prefix) + "/"
                guard prefix.hasSuffix("/"), !prefix.hasPrefix("/"), !prefix.hasPrefix(".."), clean == prefix else {
                    throw ConfigProblem("GUN prefix \(prefix) must be a clean path ending in / that does not start with / or ..")
                }
            }
            config.gunPrefixes = prefixes
        }
        if file.contains(ConfigKey("auth")) {
            guard let auth = file.section("auth") else { throw ConfigProblem("auth must be an object") }
            try Self.decodeAuth(auth, into: &config)
        }
        configuration = config
    }

    /// The `auth` section: `htpasswd`, `token` {realm, service, issuer, rootcertbundle|key_file},
    /// `tls_client_ca`, `policy` (file name or inline `{"rules": …}`), `max_failed_logins_per_minute`,
    /// `realm` (built-in token realm URL), `insecure_no_auth`. Notary's own form
    /// `{"type": "token", "options": {…}}` is accepted too.
    private static func decodeAuth(_ auth: KeyedDecodingContainer<ConfigKey>, into config: inout ServeConfiguration) throws {
        func string(_ object: KeyedDecodingContainer<ConfigKey>, _ key: String, _ name: String) throws -> String? {
            let problem = "\(name) must be a non-empty string"
            guard let text = try object.value(key, as: String.self, problem) else { return nil }
            guard !text.isEmpty else { throw ConfigProblem(problem) }
            return text
        }
        let known: Set<String> = ["htpasswd", "token", "tls_client_ca", "policy", "max_failed_logins_per_minute", "realm", "insecure_no_auth", "type", "options"]
        if let unknown = auth.allKeys.first(where: { !known.contains($0.stringValue) }) { throw ConfigProblem("unknown key auth.\(unknown.stringValue)") }
        config.auth.htpasswdFile = try string(auth, "htpasswd", "auth.htpasswd")
        config.auth.tlsClientCAFile = try string(auth, "tls_client_ca", "auth.tls_client_ca")
        config.auth.builtInRealm = try string(auth, "realm", "auth.realm")
        var tokenKey = "token"
        if let type = try? auth.decode(String.self, forKey: ConfigKey("type")) {
            guard type == "token" else { throw ConfigProblem("auth.type must be token (Notary's form) or absent") }
            tokenKey = "options"
        }
        if auth.contains(ConfigKey(tokenKey)) {
            guard let token = auth.section(tokenKey) else { throw ConfigProblem("auth.token must be an object") }
            guard let realm = try string(token, "realm", "auth.token.realm"), let service = try string(token, "service", "auth.token.service"),
                  let issuer = try string(token, "issuer", "auth.token.issuer"),
                  let key = try string(token, "rootcertbundle", "auth.token.rootcertbundle") ?? string(token, "key_file", "auth.token.key_file")
            else { throw ConfigProblem("auth.token needs realm, service, issuer and rootcertbundle (or key_file)") }
            config.auth.token = AuthSettings.Token(realm: realm, service: service, issuer: issuer, keyFile: key)
        }
        if auth.contains(ConfigKey("policy")) {
            if let file = try? auth.decode(String.self, forKey: ConfigKey("policy")) {
                config.policyFile = file
            } else {
                do {
                    config.auth.policy = try auth.decode(PolicyDocument.self, forKey: ConfigKey("policy")).policy
                } catch let problem as ConfigProblem {
                    throw ConfigProblem("auth.policy: \(problem.text)")
                }
            }
        }
        if let limit = try auth.integer("max_failed_logins_per_minute", "auth.max_failed_logins_per_minute", in: 1...10_000) {
            config.auth.maxFailedLoginsPerMinute = limit
        }
        if let insecure = try auth.value("insecure_no_auth", as: Bool.self, "auth.insecure_no_auth must be true or false") {
            config.insecureNoAuth = insecure
        }
    }
}
