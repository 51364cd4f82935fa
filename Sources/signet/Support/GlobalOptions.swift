import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import Synchronization

/// Options every client command takes (DESIGN.md, CLI contract), accepted where Notary users type
/// them: before the subcommand (`signet -s URL -d DIR publish GUN`, Notary's persistent flags) or
/// after it (`signet publish GUN -s URL -d DIR`), with the same effect.
///
/// How: `Signet` (the root command) declares this group and so parses these options wherever they
/// stand on the command line (swift-argument-parser's root parse scans every argument and takes
/// the ones it knows); every subcommand declares the same `@OptionGroup var global: GlobalOptions`
/// and receives the root's decoded value (swift-argument-parser hands an option group already
/// decoded by a parent command down to a child's group of the same type). A new subcommand gets
/// this by declaring the group, nothing else. No argument rewriting.
///
/// A command that takes only `--json` (`serve`, through `JSONOption`) refuses the client options
/// instead of ignoring them (`refuseUnused(by:)`); so does one that declares this group but has
/// no use for some of its options (`RefusesClientOptions`: `signet tuf …` and `-d`/`-s`).
///
/// Values are resolved (flag > environment > config file > default) by `ClientSettings`.
struct GlobalOptions: ParsableArguments {
    @Option(name: [.customShort("d"), .long], help: "Trust directory (default $SIGNET_TRUST_DIR, else the config file's trust_dir, else ~/.signet).")
    var trustDir: String?

    @Option(name: [.customShort("s"), .long], help: "Trust server URL (default $SIGNET_SERVER, else the config file's remote_server.url, else http://127.0.0.1:4443).")
    var server: String?

    @Option(name: [.customShort("c"), .customLong("client-config")], help: ArgumentHelp("Client config file, Notary's config.json format (default <trust dir>/config.json when it exists).", valueName: "file"))
    var clientConfig: String?

    @Option(name: .long, help: "PEM file of CA certificates to trust for the server's TLS certificate (default $SIGNET_TLS_CA, else the config file's remote_server.root_ca).")
    var tlsCa: String?

    @Option(name: .long, help: "PEM client certificate to present to the trust server (mutual TLS; with --tls-client-key; default the config file's remote_server.tls_client_cert).")
    var tlsClientCert: String?

    @Option(name: .long, help: "PEM private key of --tls-client-cert (default the config file's remote_server.tls_client_key).")
    var tlsClientKey: String?

    @Option(name: .long, help: ArgumentHelp("Seconds each request to the trust server (or its token realm) may take in all: connect, TLS, response head and body (default $SIGNET_TIMEOUT, else the config file's remote_server.timeout, else 30).", valueName: "seconds"))
    var timeout: String?

    @OptionGroup var output: JSONOption

    @Flag(name: [.customShort("v"), .long], help: "Say more about what happens, on stderr.")
    var verbose = false

    /// `--json`.
    var json: Bool { output.json }

    /// The client options given (by their long names), `--json` aside.
    var givenClientOptions: [String] {
        let options: [(String, Bool)] = [
            ("--trust-dir", trustDir != nil), ("--server", server != nil), ("--client-config", clientConfig != nil),
            ("--tls-ca", tlsCa != nil), ("--tls-client-cert", tlsClientCert != nil), ("--tls-client-key", tlsClientKey != nil),
            ("--timeout", timeout != nil), ("--verbose", verbose),
        ]
        return options.filter(\.1).map(\.0)
    }

    /// The trust directory in effect (`ClientSettings`).
    var resolvedTrustDir: URL { ClientSettings.inEffect(for: self).trustDir }

    /// The server URL in effect (`ClientSettings`).
    var resolvedServer: String { ClientSettings.inEffect(for: self).server }

    /// The per-request deadline in seconds, or nil for the client's default (30 s).
    func resolvedTimeout() throws -> Double? { try ClientSettings.inEffect(for: self).timeout() }
}

extension GlobalOptions {
    /// The group as the root command parsed it (recorded by `Signet.validate()`), for commands
    /// that do not declare it.
    private static let atRoot = Mutex<[String]>([])

    static func recordAtRoot(_ options: GlobalOptions) {
        let given = options.givenClientOptions
        atRoot.withLock { $0 = given }
    }

    /// Refuses client options given to a command that declares `JSONOption` but not
    /// `GlobalOptions` (`serve`), and those a `RefusesClientOptions` command names: they would be
    /// accepted anywhere on the line (before or after the subcommand) and then ignored.
    /// - Throws: `ClientError(.usage)` (exit 2) naming the command and the options given.
    static func refuseUnused(by command: ParsableCommand) throws {
        let given = atRoot.withLock { $0 }
        guard !given.isEmpty else { return }
        if let command = command as? any RefusesClientOptions {
            let kind = type(of: command)
            let refused = given.filter(kind.refusedClientOptions.contains)
            guard refused.isEmpty else {
                throw ClientError(.usage, "\(kind.commandPath) takes no \(refused.joined(separator: ", ")) (given); \(kind.refusalReason)")
            }
            return
        }
        var hasGlobal = false, hasJSONOnly = false
        for child in Mirror(reflecting: command).children {
            if child.value is OptionGroup<GlobalOptions> { hasGlobal = true }
            if child.value is OptionGroup<JSONOption> { hasJSONOnly = true }
        }
        guard hasJSONOnly, !hasGlobal else { return }
        let name = type(of: command).configuration.commandName ?? "this command"
        throw ClientError(.usage, "\(name) takes no client option (\(given.joined(separator: ", ")) given); those are for the client commands")
    }
}

/// A command that declares `GlobalOptions` for some of its options (TLS, `--timeout`, `--verbose`,
/// `--json`) but has no use for others: `GlobalOptions.refuseUnused(by:)` refuses those when given.
protocol RefusesClientOptions: ParsableCommand {
    /// The command as typed after `signet` (`tuf refresh`), for the message.
    static var commandPath: String { get }
    /// The long names of the options refused, as `GlobalOptions.givenClientOptions` lists them.
    static var refusedClientOptions: Set<String> { get }
    /// Why, as the end of the refusal: where the command takes what those options would say.
    static var refusalReason: String { get }
}
