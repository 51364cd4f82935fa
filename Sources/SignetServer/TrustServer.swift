import FoundationEssentials
import Logging
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF
import Synchronization

/// Settings of the trust server that are not HTTP transport settings (see `docs/server.md`).
public struct TrustServerSettings: Sendable {
    /// Storage directory (`--storage`, config `storage.directory`).
    public var storageDirectory: String
    /// Algorithm of new server-held keys: `.ed25519` (notary-server's local signer) or `.ecdsa`.
    public var keyAlgorithm: KeyAlgorithm = .ed25519
    /// Passphrase of the server's key files; nil = `SIGNET_SERVER_KEY_PASSPHRASE`, else a generated
    /// one kept in `<storage>/server-key-passphrase`.
    public var keyPassphrase: String? = nil
    /// `Cache-Control` max-age of current metadata, seconds (Notary default 300).
    public var currentMaxAge: Int = 300
    /// `Cache-Control` max-age of metadata by hash or version, seconds (Notary default 30 days).
    public var consistentMaxAge: Int = 2_592_000
    /// Most role files in one publish.
    public var maxRolesPerPublish: Int = 1024
    /// Key derivation for new server key files.
    public var keyDerivation: KeyDerivation = .pbkdf2SHA256(iterations: 600_000)
    /// Notary's `repositories.gun_prefixes`: when not empty, only GUNs starting with one of these
    /// are served (publish answers `400 INVALID_GUN`, other routes `404`).
    public var gunPrefixes: [String] = []
    /// Access control (`Auth/AccessControl.swift`); nil = every request is allowed.
    public var accessControl: AccessControl? = nil
    /// The server's clock: judges expiry and dates generated metadata. Tests move it forward.
    public var clock: @Sendable () -> Date = { Date() }

    public init(storageDirectory: String) {
        self.storageDirectory = storageDirectory
    }
}

/// The Notary-compatible trust server: storage, server-held keys, publish validation and routes,
/// as one `(HTTPRequest) -> HTTPResponse` handler for `HTTPServer`.
public final class TrustServer: Sendable {
    public let settings: TrustServerSettings
    let store: MetadataStore
    let keys: ServerKeyStore
    let logger: Logger
    let metrics = Metrics()
    let expiryCache = Mutex<[String: ParsedExpiry]>([:])
    /// Current metadata responses in memory (`Routes/CurrentMetadataCache.swift`).
    let currentMetadata = CurrentMetadataCache()

    /// Opens the storage directory (creating it), resolves the key passphrase and opens the key store.
    /// - Throws: `NotaryError(.updating)` when directories or the passphrase file cannot be created;
    ///   `ServerSetupError` for an unreadable passphrase file.
    public init(settings: TrustServerSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        let fileStore = try FileStore(directory: settings.storageDirectory)
        store = fileStore
        let passphrase = try Self.resolvePassphrase(settings: settings, storageRoot: fileStore.root, logger: logger)
        keys = try ServerKeyStore(directory: fileStore.root + "/keys", algorithm: settings.keyAlgorithm,
                                  passphrase: passphrase, kdf: settings.keyDerivation)
    }

    /// Config/`--config` passphrase, else `SIGNET_SERVER_KEY_PASSPHRASE`, else the contents of
    /// `<storage>/server-key-passphrase`, created (0600, 32 random bytes as hex) on first start.
    static func resolvePassphrase(settings: TrustServerSettings, storageRoot: String, logger: Logger) throws -> String {
        if let configured = settings.keyPassphrase, !configured.isEmpty { return configured }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SIGNET_SERVER_KEY_PASSPHRASE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let path = storageRoot + "/server-key-passphrase"
        if let existing = try StorageFile.read(path) {
            let text = String(decoding: existing, as: UTF8.self).trimmingWhitespaceAndNewlines()
            guard !text.isEmpty else { throw NotaryError(.noStorage, log: "\(path) is empty") }
            return text
        }
        let generated = Hex.encode(SecureRandom.bytes(32))
        try StorageFile.write(Array((generated + "\n").utf8), to: path, mode: 0o600)
        logger.notice("generated a passphrase for the server's keys in \(path) (mode 0600); set SIGNET_SERVER_KEY_PASSPHRASE or key_passphrase in the config to use your own")
        return generated
    }

    /// True when `gunPrefixes` is empty or `gun`'s bytes start with one of them (`ExactName`).
    func allows(gun: String) -> Bool {
        settings.gunPrefixes.isEmpty || settings.gunPrefixes.contains { ExactName.hasPrefix(gun, $0) }
    }

    /// Handles one request; never throws (errors become Notary error envelopes).
    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        let (operation, response) = route(request)
        metrics.record(status: response.status, method: request.method, operation: operation)
        return response
    }
}
