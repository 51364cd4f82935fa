import FoundationEssentials
import Logging
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF
import Synchronization

/// Settings of the trust server that are not HTTP transport settings (see `docs/server.md`).
package struct TrustServerSettings: Sendable {
    /// Storage directory (`--storage`, config `storage.directory`).
    package var storageDirectory: String
    /// Algorithm of new server-held keys: `.ed25519` (notary-server's local signer) or `.ecdsa`.
    package var keyAlgorithm: KeyAlgorithm = .ed25519
    /// Passphrase of the server's key files; nil = `SIGNET_SERVER_KEY_PASSPHRASE`, else a generated
    /// one kept in `<storage>/server-key-passphrase`.
    package var keyPassphrase: String? = nil
    /// `Cache-Control` max-age of current metadata, seconds (Notary default 300).
    package var currentMaxAge: Int = 300
    /// `Cache-Control` max-age of metadata by hash or version, seconds (Notary default 30 days).
    package var consistentMaxAge: Int = 2_592_000
    /// Most role files in one publish.
    package var maxRolesPerPublish: Int = 1024
    /// Key derivation for new server key files.
    package var keyDerivation: KeyDerivation = .pbkdf2SHA256(iterations: 600_000)
    /// Notary's `repositories.gun_prefixes`: when not empty, only GUNs starting with one of these
    /// are served (publish answers `400 INVALID_GUN`, other routes `404`).
    package var gunPrefixes: [String] = []
    /// Access control (`Auth/AccessControl.swift`); nil = every request is allowed.
    package var accessControl: AccessControl? = nil
    /// Renewal ahead of expiry (`Validation/RenewalPass.swift`): the timestamp, and a snapshot whose
    /// key the server holds, are re-signed once they expire within this share of their lifetime,
    /// in percent (0 = only once expired, on GET; at most 99). Config
    /// `trust_service.renew_margin_percent`.
    package var renewalPercent: Int = Expiry.defaultRenewalPercent
    /// Seconds between renewal passes of `signet serve` (the first runs at start). Config
    /// `trust_service.renew_interval_seconds`.
    package var renewalIntervalSeconds: Int = 3600
    /// The read-only web page at `/` (`UI/WebPages.swift`); `--no-ui` or config `server.ui` false
    /// turns it off (then `/` is the API's 404).
    package var webPage = true
    /// The server's clock: judges expiry and dates generated metadata. Tests move it forward.
    package var clock: @Sendable () -> Date = { Date() }

    package init(storageDirectory: String) {
        self.storageDirectory = storageDirectory
    }
}

/// The Notary-compatible trust server: storage, server-held keys, publish validation and routes,
/// as one `(HTTPRequest) -> HTTPResponse` handler for `HTTPServer`.
package final class TrustServer: Sendable {
    package let settings: TrustServerSettings
    let store: any MetadataStore
    let keys: any ServerKeyStore
    let logger: Logger
    let metrics = Metrics()
    let expiryCache = Mutex<[String: ParsedExpiry]>([:])
    /// The stored GUNs, read from the changefeed (`Storage/StoredCollections.swift`).
    let collections = StoredCollections()
    /// Current metadata responses in memory (`Routes/CurrentMetadataCache.swift`).
    let currentMetadata = CurrentMetadataCache()

    /// A trust server over the given storage and server-held keys.
    /// - Parameters:
    ///   - settings: caching, limits, GUN prefixes, access control and clock (`storageDirectory` is
    ///     not read here: `store` already is the storage).
    ///   - store: every version of every role and the changefeed (`FileStore`, or any other
    ///     `MetadataStore` such as a networked database).
    ///   - keys: the timestamp and snapshot keys the server holds for each GUN.
    ///   - logger: server log (never secrets).
    package init(settings: TrustServerSettings, store: any MetadataStore, keys: any ServerKeyStore, logger: Logger) {
        self.settings = settings
        self.store = store
        self.keys = keys
        self.logger = logger
    }

    /// The embedded default: a `FileStore` in `settings.storageDirectory` (created, mode 0700) and
    /// the server's keys in `<storage>/keys`, encrypted with the passphrase
    /// `ServerKeySealing.resolvePassphrase` finds.
    /// - Throws: `NotaryError(.updating)` when the directories or the passphrase file cannot be
    ///   created; `NotaryError(.noStorage)` for an empty passphrase file.
    package convenience init(settings: TrustServerSettings, logger: Logger) throws {
        let fileStore = try FileStore(directory: settings.storageDirectory)
        let keys = try FileKeyStore.open(storageDirectory: fileStore.root, settings: settings, logger: logger)
        self.init(settings: settings, store: fileStore, keys: keys, logger: logger)
    }

    /// True when `gunPrefixes` is empty or `gun`'s bytes start with one of them (`ExactName`).
    func allows(gun: String) -> Bool {
        settings.gunPrefixes.isEmpty || settings.gunPrefixes.contains { ExactName.hasPrefix(gun, $0) }
    }

    /// Handles one request; never throws (errors become Notary error envelopes).
    package func handle(_ request: HTTPRequest) -> HTTPResponse {
        let (operation, response) = route(request)
        metrics.record(status: response.status, method: request.method, operation: operation)
        return response
    }
}
