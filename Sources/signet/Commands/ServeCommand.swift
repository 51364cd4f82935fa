import ArgumentParser
import FoundationEssentials
import Logging
import SignetCrypto
import SignetHTTP
import SignetServer
import SignetSupport

/// `signet serve`: run the Notary-compatible trust server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the trust server (Notary-compatible API) over HTTP or HTTPS.",
        discussion: """
        Stores collections under --storage, validates every publish, holds the timestamp (and, when \
        asked, snapshot) keys and re-signs timestamps ahead of expiry (trust_service.renew_margin_percent). The real notary client and Docker \
        Content Trust work against it. Flags override the config file; see docs/server.md for every \
        config key. The server's keys are encrypted with SIGNET_SERVER_KEY_PASSPHRASE, the \
        config's trust_service.key_passphrase, or a passphrase generated into \
        <storage>/server-key-passphrase on first start. SIGTERM or SIGINT shuts down gracefully.

        With --storage postgres://… several servers share one database: collections, changefeed \
        and server keys are in it (every server needs the same key passphrase), and the schema is \
        migrated at start (--migrate-only does only that). See docs/operations.md, "Scaling out".

        Access control (docs/access-control.md): --htpasswd (bcrypt entries, htpasswd -B), bearer \
        tokens from an external issuer (--token-realm/--token-service/--token-issuer/--token-key), \
        or client certificates (--tls-client-ca, with --tls-cert/--tls-key); --policy maps \
        identities to pull/push/* on GUN patterns. Without auth the server only listens on \
        loopback; a non-loopback --listen without auth needs --insecure-no-auth.

        Examples:
          signet serve --listen 127.0.0.1:4443 --storage /var/lib/signet
          signet serve --listen 0.0.0.0:4443 --tls-cert server.crt --tls-key server.key --htpasswd /etc/signet/htpasswd --policy policy.json
          notary -s http://127.0.0.1:4443 -d ~/.notary list registry.example.com/team/app
        """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1:4443).", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp("Storage directory (default ./signet-data), or a PostgreSQL URI postgres://user@host:port/db (password: SIGNET_STORAGE_PASSWORD or ~/.pgpass).", valueName: "dir|url"))
    var storage: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain for HTTPS (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for HTTPS (with --tls-cert).", valueName: "file"))
    var tlsKey: String?

    @Option(name: .long, help: ArgumentHelp("JSON config file (see docs/server.md).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("htpasswd file with bcrypt entries (htpasswd -B) for Basic/token logins.", valueName: "file"))
    var htpasswd: String?

    @Option(name: .customLong("token-realm"), help: ArgumentHelp("URL of the external token issuer named in Bearer challenges.", valueName: "url"))
    var tokenRealm: String?

    @Option(name: .customLong("token-service"), help: ArgumentHelp("Service name: the challenge's service and the tokens' required audience.", valueName: "name"))
    var tokenService: String?

    @Option(name: .customLong("token-issuer"), help: ArgumentHelp("Required iss claim of bearer tokens.", valueName: "name"))
    var tokenIssuer: String?

    @Option(name: .customLong("token-key"), help: ArgumentHelp("PEM certificate(s) or public key(s) that sign bearer tokens (ES256 or RS256).", valueName: "file"))
    var tokenKey: String?

    @Option(name: .customLong("tls-client-ca"), help: ArgumentHelp("PEM CA certificates for client certificates (mutual TLS; needs --tls-cert).", valueName: "file"))
    var tlsClientCa: String?

    @Option(name: .long, help: ArgumentHelp("JSON scope policy: identities → pull/push/* on GUN patterns (default: * on every GUN).", valueName: "file"))
    var policy: String?

    @Flag(name: .customLong("no-ui"), help: "Do not serve the read-only web page at / (the collections, tags, delegations and expiry).")
    var noUI = false

    @Flag(name: .customLong("insecure-no-auth"), help: "Allow a non-loopback --listen address without any authentication.")
    var insecureNoAuth = false

    @Flag(name: .customLong("migrate-only"), help: "Bring the PostgreSQL database's schema up to date (as every start does), then exit without serving.")
    var migrateOnly = false

    @OptionGroup var output: JSONOption

    @Option(name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning or error (default info).", valueName: "level"))
    var logLevel: String?

    func run() throws {
        var configuration: ServeConfiguration
        do {
            configuration = try config.map(ServeConfiguration.load(file:)) ?? ServeConfiguration()
        } catch let problem as ServeConfiguration.Problem {
            throw ValidationError(problem.description)
        }
        if let listen { configuration.listen = listen }
        if let storage { configuration.setStorage(storage) }
        if let tlsCert { configuration.tlsCertificateFile = tlsCert }
        if let tlsKey { configuration.tlsKeyFile = tlsKey }
        if let logLevel { configuration.logLevel = logLevel }
        if let htpasswd { configuration.auth.htpasswdFile = htpasswd }
        if let tlsClientCa { configuration.auth.tlsClientCAFile = tlsClientCa }
        if let policy { configuration.policyFile = policy }
        if insecureNoAuth { configuration.insecureNoAuth = true }
        if noUI { configuration.webPage = false }
        let tokenFlags = [tokenRealm, tokenService, tokenIssuer, tokenKey]
        if tokenFlags.contains(where: { $0 != nil }) {
            guard let realm = tokenRealm ?? configuration.auth.token?.realm, let service = tokenService ?? configuration.auth.token?.service,
                  let issuer = tokenIssuer ?? configuration.auth.token?.issuer, let key = tokenKey ?? configuration.auth.token?.keyFile
            else { throw ValidationError("--token-realm, --token-service, --token-issuer and --token-key go together") }
            configuration.auth.token = AuthSettings.Token(realm: realm, service: service, issuer: issuer, keyFile: key)
        }
        if migrateOnly {
            guard configuration.storageURL != nil else {
                throw ValidationError("--migrate-only migrates a PostgreSQL database, but the storage is the directory \(configuration.storageDirectory); give --storage postgres://… or storage.backend postgres")
            }
            do { _ = try ServeAssembly.openDatabase(configuration, pooled: false) } catch let refusal as ServePolicy.Refusal {
                throw ValidationError(refusal.description)
            }
            Output.result(["storage": configuration.storageDescription, "schema": PostgresStore.schemaVersion],
                          "signet: \(configuration.storageDescription) schema at migration \(PostgresStore.schemaVersion)")
            return
        }
        do { try configuration.resolveAuth() } catch { throw ValidationError("\(error)") }
        let plan: ServePolicy.Plan
        do { plan = try ServePolicy.check(configuration) } catch let refusal as ServePolicy.Refusal {
            throw ValidationError(refusal.description)
        }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = plan.logLevel
            return handler
        }
        let logger = Logger(label: "signet.server")
        var clock: (@Sendable () -> Date)?
        if Clock.offset != 0 {
            // Test-only (Support/Clock.swift): SIGNET_TEST_CLOCK_OFFSET moves the server's clock.
            logger.warning("\(Clock.testOffsetVariable) is set: the server's clock is off by \(Int64(Clock.offset)) s (tests only)")
            clock = { Clock.now() }
        }
        let assembly: ServeAssembly
        do { assembly = try ServeAssembly(configuration: configuration, plan: plan, clock: clock, logger: logger) } catch let refusal as ServePolicy.Refusal {
            throw ValidationError(refusal.description)  // a bad input file: exit 2
        }
        let server = assembly.http
        installShutdownSignalHandlers {
            logger.notice("shutting down")
            assembly.renewal.stop()
            server.shutdown(gracePeriod: 10)
        }
        try server.start()
        assembly.renewal.start()
        if output.json {
            Output.json(["serving": assembly.url, "storage": configuration.storageDescription])
        } else {
            SystemFile.writeStandardOutput("signet: serving on \(assembly.url) (storage \(configuration.storageDescription))\n")
        }
        logger.notice("serving on \(assembly.url) (storage \(configuration.storageDescription))")
        assembly.logAccess(logger)
        server.waitUntilShutdown()
    }
}
