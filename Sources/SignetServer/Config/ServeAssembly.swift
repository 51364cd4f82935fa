import FoundationEssentials
import Logging
import SignetCrypto
import SignetHTTP
import SignetSupport

/// `signet serve`'s server put together from a configuration that passed `ServePolicy.check`:
/// the TLS context (mutual TLS per `ServePolicy.requiresClientCertificate`), access control, the
/// trust server over the file store in `storageDirectory` or PostgreSQL at `storageURL`, and the HTTP server with the
/// configured limits. Nothing listens until `http.start()`.
package struct ServeAssembly: Sendable {
    package let configuration: ServeConfiguration
    package let plan: ServePolicy.Plan
    package let trust: TrustServer
    package let http: HTTPServer
    /// The renewal passes (`Validation/RenewalPass.swift`); `signet serve` starts them.
    package let renewal: RenewalSchedule
    /// `https` with TLS, else `http`.
    package let scheme: String

    /// - Parameters:
    ///   - clock: the server's clock (tests move it); nil = the system clock.
    ///   - logger: the server log.
    /// - Throws: `ServePolicy.Refusal` (a bad input file, exit 2) for an htpasswd, policy or token
    ///   key file that does not load; `CryptoError` for TLS certificate or key files;
    ///   `StorageError` / `NotaryError` when the storage or the server's key passphrase cannot be
    ///   opened; `ServePolicy.Refusal` for a database this server cannot use as configured (its
    ///   schema is newer than this build's, or its server keys have another passphrase).
    package init(configuration: ServeConfiguration, plan: ServePolicy.Plan, clock: (@Sendable () -> Date)? = nil, logger: Logger) throws {
        self.configuration = configuration
        self.plan = plan
        var tls: TLSServerContext?
        if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
            tls = try TLSServerContext(certificateChainPEMFile: certificate, privateKeyPEMFile: key, clientCAFile: configuration.auth.tlsClientCAFile,
                                       requireClientCertificate: ServePolicy.requiresClientCertificate(configuration.auth))
        }
        scheme = tls == nil ? "http" : "https"
        var settings = configuration.settings
        if let clock { settings.clock = clock }
        if configuration.auth.isEnabled {
            do {
                settings.accessControl = try AccessControl(settings: configuration.auth, tlsEnabled: tls != nil, logger: logger)
            } catch let problem as HtpasswdFile.Problem {
                throw ServePolicy.Refusal(problem.description)
            } catch let problem as AccessPolicy.Problem {
                throw ServePolicy.Refusal(problem.description)
            } catch let refusal as JWTVerifier.Refusal {
                throw ServePolicy.Refusal(refusal.description)
            }
        }
        // The storage seam: the file store is the embedded default (docs/server.md, Storage layout),
        // PostgreSQL when a URI is configured, with the server keys in the same place as the metadata.
        let store: any MetadataStore
        let keys: any ServerKeyStore
        if let database = try Self.openDatabase(configuration) {
            let keyDirectory = PathText.standardizing(configuration.storageDirectory)
            try StorageFile.makeDirectory(keyDirectory)
            do {
                keys = try PostgresKeyStore.open(store: database, storageDirectory: keyDirectory, settings: settings, logger: logger)
            } catch let error as StorageError where error.kind == .incompatible {
                throw ServePolicy.Refusal(error.reason)  // another passphrase than the database's keys: exit 2
            }
            store = database
        } else {
            let fileStore = try FileStore(directory: configuration.storageDirectory)
            store = fileStore
            keys = try FileKeyStore.open(storageDirectory: fileStore.root, settings: settings, logger: logger)
        }
        let trust = TrustServer(settings: settings, store: store, keys: keys, logger: logger)
        self.trust = trust
        renewal = RenewalSchedule(trust: trust, intervalSeconds: settings.renewalIntervalSeconds)
        let httpConfiguration = HTTPServerConfiguration(
            host: plan.host, port: plan.port, tls: tls, maxHeaderBytes: configuration.maxHeaderBytes,
            maxBodyBytes: configuration.maxBodyBytes, maxConnections: configuration.maxConnections,
            readTimeout: configuration.readTimeout, firstByteTimeout: configuration.firstByteTimeout,
            workerThreads: ServeConfiguration.workerThreads)
        // Current metadata from memory is answered on the event loop (TrustServer.cachedResponse);
        // everything else runs on the worker pool.
        http = HTTPServer(configuration: httpConfiguration, logger: logger, cachedResponder: { trust.cachedResponse($0) }) { request in
            trust.handle(request)
        }
    }

    /// The PostgreSQL store `configuration` selects (migrated to this build's schema), or nil for
    /// the file store. The password comes from `SIGNET_STORAGE_PASSWORD` (else the URI or
    /// `~/.pgpass`).
    /// - Parameter pooled: false opens one connection and no change listener (`--migrate-only`).
    /// - Throws: `ServePolicy.Refusal` (exit 2) naming both migration numbers for a database whose
    ///   schema is newer than this build's; the storage error of a database that cannot be reached
    ///   or refuses the login (exit 3).
    package static func openDatabase(_ configuration: ServeConfiguration, pooled: Bool = true) throws -> PostgresStore? {
        guard let url = configuration.storageURL else { return nil }
        do {
            return try StorageLocation.openDatabase(url: url, password: StorageLocation.password(),
                                                    maxConnections: pooled ? configuration.storagePoolSize : 1,
                                                    maxStaleness: .milliseconds(pooled ? configuration.storageCacheStalenessMilliseconds : 0))
        } catch let error as StorageError where error.kind == .incompatible {
            throw ServePolicy.Refusal(error.reason)
        }
    }

    /// The host as it appears in a URL (`[::1]` for IPv6).
    package var shownHost: String { plan.host.contains(":") ? "[\(plan.host)]" : plan.host }

    /// `scheme://host:port` with the port actually bound (after `http.start()`).
    package var url: String { "\(scheme)://\(shownHost):\(http.boundPort)" }

    /// The startup lines about access control: what is on and which policy, or that the server
    /// is loopback-only, or (with `--insecure-no-auth`) a warning that anyone can publish.
    package func logAccess(_ logger: Logger) {
        let auth = configuration.auth
        if auth.isEnabled {
            var ways: [String] = []
            if auth.htpasswdFile != nil { ways.append("htpasswd") }
            if auth.token != nil { ways.append("bearer tokens") }
            if auth.tlsClientCAFile != nil { ways.append("client certificates") }
            let policy = configuration.policyFile ?? (auth.policy == nil ? "none (* on every GUN for every authenticated identity)" : "from the config file")
            logger.notice("access control on: \(ways.joined(separator: ", ")); policy \(policy)")
        } else if plan.loopback {
            logger.notice("no authentication configured: serving loopback only (\(shownHost)); see docs/access-control.md to configure auth")
        } else {
            logger.warning("no authentication configured and --insecure-no-auth given: anyone who can reach \(shownHost):\(http.boundPort) can publish and delete")
        }
    }
}
