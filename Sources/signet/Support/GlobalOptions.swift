import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport

/// Options every command takes (DESIGN.md, CLI contract).
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("d"), .long], help: "Trust directory (default $SIGNET_TRUST_DIR, else ~/.signet).")
    var trustDir: String?

    @Option(name: [.customShort("s"), .long], help: "Trust server URL (default $SIGNET_SERVER, else http://127.0.0.1:4443).")
    var server: String?

    @Option(name: .long, help: "PEM file of CA certificates to trust for the server's TLS certificate.")
    var tlsCa: String?

    @Option(name: .long, help: "PEM client certificate to present to the trust server (mutual TLS; with --tls-client-key).")
    var tlsClientCert: String?

    @Option(name: .long, help: "PEM private key of --tls-client-cert.")
    var tlsClientKey: String?

    @Option(name: .long, help: ArgumentHelp("Seconds each request to the trust server (or its token realm) may take in all: connect, TLS, response head and body (default $SIGNET_TIMEOUT, else 30).", valueName: "seconds"))
    var timeout: String?

    @Flag(name: .long, help: "Machine-readable JSON output on stdout.")
    var json = false

    @Flag(name: [.customShort("v"), .long], help: "Say more about what happens, on stderr.")
    var verbose = false

    /// The trust directory in effect.
    var resolvedTrustDir: URL {
        if let trustDir { return URL(fileURLWithPath: PathText.expandingTilde(trustDir)) }
        if let env = ProcessInfo.processInfo.environment["SIGNET_TRUST_DIR"], !env.isEmpty {
            return URL(fileURLWithPath: PathText.expandingTilde(env))
        }
        // $HOME first: Foundation's home directory ignores it for root, and CI containers running
        // as root set their own HOME.
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home).appendingPathComponent(".signet")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".signet")
    }

    /// The server URL in effect.
    var resolvedServer: String {
        if let server { return server }
        if let env = ProcessInfo.processInfo.environment["SIGNET_SERVER"], !env.isEmpty { return env }
        return "http://127.0.0.1:4443"
    }

    /// The per-request deadline in seconds: `--timeout`, else `$SIGNET_TIMEOUT`, else nil (the
    /// client's default, `RemoteServer.timeout`: 30 s).
    /// - Throws: `ClientError(.usage)` (exit 2) naming the source when it is not a number of
    ///   seconds in 0.001…86400.
    func resolvedTimeout() throws -> Double? {
        let (text, source): (String?, String) = timeout != nil ? (timeout, "--timeout")
            : (ProcessInfo.processInfo.environment["SIGNET_TIMEOUT"].flatMap { $0.isEmpty ? nil : $0 }, "SIGNET_TIMEOUT")
        guard let text else { return nil }
        guard let seconds = Double(text), seconds.isFinite, seconds >= 0.001, seconds <= 86_400 else {
            throw ClientError(.usage, "\(source) \(text) is not a number of seconds in 0.001…86400")
        }
        return seconds
    }
}
