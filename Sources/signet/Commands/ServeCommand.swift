import ArgumentParser
import Foundation
import Logging
import SignetCrypto
import SignetHTTP
import SignetServer

/// `signet serve`: run the Notary-compatible trust server.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the trust server (Notary-compatible API) over HTTP or HTTPS.",
        discussion: """
        Stores collections under --storage, validates every publish, holds the timestamp (and, when \
        asked, snapshot) keys and re-signs expired timestamps. The real notary client and Docker \
        Content Trust work against it. Flags override the config file; see docs/server.md for every \
        config key. The server's key files are encrypted with SIGNET_SERVER_KEY_PASSPHRASE, the \
        config's trust_service.key_passphrase, or a passphrase generated into \
        <storage>/server-key-passphrase on first start. SIGTERM or SIGINT shuts down gracefully.

        Examples:
          signet serve --listen 127.0.0.1:4443 --storage /var/lib/signet
          signet serve --listen 0.0.0.0:4443 --tls-cert server.crt --tls-key server.key --config signet-server.json
          notary -s http://127.0.0.1:4443 -d ~/.notary list registry.example.com/team/app
        """
    )

    @Option(name: .long, help: ArgumentHelp("Address to listen on (default 127.0.0.1:4443).", valueName: "host:port"))
    var listen: String?

    @Option(name: .long, help: ArgumentHelp("Storage directory (default ./signet-data).", valueName: "dir"))
    var storage: String?

    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain for HTTPS (with --tls-key).", valueName: "file"))
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for HTTPS (with --tls-cert).", valueName: "file"))
    var tlsKey: String?

    @Option(name: .long, help: ArgumentHelp("JSON config file (see docs/server.md).", valueName: "file"))
    var config: String?

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
        if let storage { configuration.storageDirectory = storage }
        if let tlsCert { configuration.tlsCertificateFile = tlsCert }
        if let tlsKey { configuration.tlsKeyFile = tlsKey }
        if let logLevel { configuration.logLevel = logLevel }
        guard (configuration.tlsCertificateFile == nil) == (configuration.tlsKeyFile == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        guard let level = Logger.Level(rawValue: configuration.logLevel) else {
            throw ValidationError("log level \(configuration.logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        let (host, port): (String, Int)
        do { (host, port) = try configuration.hostAndPort() } catch { throw ValidationError("\(error)") }

        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "signet.server")

        let trustServer = try TrustServer(settings: configuration.settings, logger: logger)
        var tls: TLSServerContext?
        if let certificate = configuration.tlsCertificateFile, let key = configuration.tlsKeyFile {
            tls = try TLSServerContext(certificateChainPEMFile: certificate, privateKeyPEMFile: key)
        }
        let httpConfiguration = HTTPServerConfiguration(
            host: host, port: port, tls: tls, maxHeaderBytes: configuration.maxHeaderBytes,
            maxBodyBytes: configuration.maxBodyBytes, maxConnections: configuration.maxConnections,
            readTimeout: configuration.readTimeout)
        let server = HTTPServer(configuration: httpConfiguration, logger: logger) { request in trustServer.handle(request) }
        installShutdownSignalHandlers {
            logger.notice("shutting down")
            server.shutdown(gracePeriod: 10)
        }
        try server.start()
        let scheme = tls == nil ? "http" : "https"
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let line = "signet: serving on \(scheme)://\(shownHost):\(server.boundPort) (storage \(configuration.storageDirectory))\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        logger.notice("serving on \(scheme)://\(shownHost):\(server.boundPort) (storage \(configuration.storageDirectory))")
        server.waitUntilShutdown()
    }
}
