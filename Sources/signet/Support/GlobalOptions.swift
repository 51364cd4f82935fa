import ArgumentParser
import FoundationEssentials
import SignetCrypto

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
}
