import FoundationEssentials
import SignetSupport
import SignetTUF

/// The client config file: Notary's `~/.notary/config.json` format (reference §1.4), read by
/// `signet -c FILE` or from `<trust dir>/config.json`, so `signet -c ~/.notary/config.json …`
/// works unchanged.
///
/// Keys read (every other key is ignored, as Notary's viper does):
/// - `trust_dir` — the trust directory (`~` expanded);
/// - `remote_server.url` — the trust server's URL;
/// - `remote_server.root_ca` — PEM CA bundle for the server's TLS certificate;
/// - `remote_server.tls_client_cert`, `remote_server.tls_client_key` — mutual TLS, together;
/// - `remote_server.skipTLSVerify` — only `false` is accepted (Signet never skips verification);
/// - `remote_server.timeout` — Signet's own: seconds per request (a number);
/// - `trust_pinning` — per-GUN root pins (`TrustPinning`: `certs`, `ca`, `disable_tofu`).
///
/// Relative paths are relative to the config file's directory (Notary's rule). Which source wins
/// for each setting (flag > environment > config file > default) is `ClientSettings`'s rule, in
/// the signet executable.
package struct ClientConfig: Sendable {
    /// The file this was read from.
    package var path: String
    package var trustDir: String?
    package var serverURL: String?
    package var rootCA: String?
    package var tlsClientCert: String?
    package var tlsClientKey: String?
    /// Seconds per request.
    package var timeout: Double?
    package var trustPinning = TrustPinning()

    /// Largest config file read, in bytes.
    package static let maxBytes = 1 << 20

    package init(path: String) {
        self.path = path
    }

    /// Reads and checks the config file at `path`.
    /// - Throws: `ClientError(.usage)` (exit 2) naming the file and the key when the file is
    ///   missing or unreadable, is not a JSON object, over `maxBytes`, or a key has the wrong type
    ///   or value (`skipTLSVerify: true`, a client certificate without its key, a `trust_pinning`
    ///   entry that is not a GUN or not 64 hex digits).
    package static func load(path: String) throws -> ClientConfig {
        let bytes = try BoundedFile.readInput(path, maxLength: maxBytes, what: "client config")
        let value: JSONValue
        do { value = try JSONParser.parse(bytes, what: "client config") } catch let error as TUFError {
            throw ClientError(.usage, "client config \(path) is not valid JSON: \(error.message)")
        }
        guard let top = value.objectValue else { throw ClientError(.usage, "client config \(path) is not a JSON object") }
        var config = ClientConfig(path: path)
        let reader = Reader(path: path)
        config.trustDir = try reader.string(top["trust_dir"], "trust_dir").map { reader.resolve(PathText.expandingTilde($0)) }
        if let remote = top["remote_server"] {
            guard let object = remote.objectValue else { throw reader.wrongType("remote_server", "an object") }
            config.serverURL = try reader.string(object["url"], "remote_server.url")
            config.rootCA = try reader.string(object["root_ca"], "remote_server.root_ca").map(reader.resolve)
            config.tlsClientCert = try reader.string(object["tls_client_cert"], "remote_server.tls_client_cert").map(reader.resolve)
            config.tlsClientKey = try reader.string(object["tls_client_key"], "remote_server.tls_client_key").map(reader.resolve)
            guard (config.tlsClientCert == nil) == (config.tlsClientKey == nil) else {
                throw ClientError(.usage, "client config \(path): remote_server.tls_client_cert and remote_server.tls_client_key go together")
            }
            if let skip = object["skipTLSVerify"] {
                guard let flag = skip.boolValue else { throw reader.wrongType("remote_server.skipTLSVerify", "true or false") }
                guard !flag else {
                    throw ClientError(.usage, "client config \(path): remote_server.skipTLSVerify is true; Signet never skips TLS verification (give the server's CA as remote_server.root_ca)")
                }
            }
            if let timeout = object["timeout"] {
                let seconds: Double? = switch timeout {
                case .int(let whole): Double(whole)
                case .fractional(let text): Double(text)
                default: nil
                }
                // Its range is judged with the flag's and the environment's (ClientSettings).
                guard let seconds else { throw reader.wrongType("remote_server.timeout", "a number of seconds") }
                config.timeout = seconds
            }
        }
        if let pinning = top["trust_pinning"] {
            config.trustPinning = try TrustPinning(json: pinning, configPath: path, resolve: reader.resolve)
        }
        return config
    }

    /// Reads typed members and resolves relative paths against the config's directory.
    struct Reader {
        var path: String

        func string(_ value: JSONValue?, _ key: String) throws -> String? {
            guard let value, !value.isNull else { return nil }
            guard let text = value.stringValue else { throw wrongType(key, "a string") }
            return text.isEmpty ? nil : text
        }

        func wrongType(_ key: String, _ expected: String) -> ClientError {
            ClientError(.usage, "client config \(path): \(key) must be \(expected)")
        }

        func resolve(_ file: String) -> String {
            if file.hasPrefix("/") { return file }
            let directory = PathText.deletingLastComponent(path)
            return PathText.appending(file, to: directory.isEmpty ? "." : directory)
        }
    }
}
