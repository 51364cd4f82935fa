import ArgumentParser
import FoundationEssentials
import Glibc
import SignetClient
import SignetSupport
import SignetTUF

/// `signet agent …`: the optional signing agent, a short-lived process that holds unlocked keys
/// and signs with them over a Unix socket in the trust dir (docs/signing-agent.md). Off unless
/// started.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Hold unlocked signing keys in a short-lived agent process, so publish needs no passphrase.",
        discussion: """
        The agent listens on <trust dir>/private/agent.sock (mode 0600, directory 0700), signs for processes of \
        the same user only, never hands a key out, and exits at its lifetime's end, on `signet agent stop` or on \
        SIGTERM. While it runs, commands on that trust dir sign with the keys it holds (each signature is \
        verified against the key the role lists) and unlock the others from their files; SIGNET_AGENT=off \
        bypasses it.

        Example:
          signet agent start --lifetime 30m && signet publish registry.example.com/team/app && signet agent stop
        """,
        subcommands: [Start.self, Status.self, Stop.self, Run.self]
    )

    /// The trust dir in effect and its agent's socket path.
    static func located(_ global: GlobalOptions) -> (directory: TrustDirectory, socket: String) {
        let directory = ClientContext(global: global).trustDir
        return (directory, AgentSocket.path(in: directory))
    }

    /// "No agent runs" (exit 1: not found).
    static func noAgent(_ directory: TrustDirectory, _ socket: String) -> ClientError {
        ClientError(.notTrusted, "no signing agent runs for \(directory.url.path) (nothing listens on \(socket))")
    }

    /// The rows and document describing a running agent.
    static func describe(_ status: AgentStatus, socket: String) -> (json: [String: Any], lines: [String]) {
        let keys: [[String: Any]] = status.keys.map { ["keyID": $0.keyID, "role": $0.role, "gun": $0.gun ?? ""] }
        let json: [String: Any] = ["socket": socket, "pid": Int(status.pid), "secondsLeft": Int(status.secondsLeft), "keys": keys]
        let rows = [["ROLE", "GUN", "KEY ID"]] + status.keys.map { [$0.role, $0.gun ?? "", $0.keyID] }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        let table = rows.map { row in row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }.joined(separator: "  ") }
        return (json, ["Signing agent pid \(status.pid) at \(socket): \(status.secondsLeft) s left, \(status.keys.count) keys"] + table)
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "start",
            abstract: "Unlock keys of the trust dir and leave an agent holding them; prints the socket path.",
            discussion: """
            By default the agent holds the targets, snapshot and delegation keys of the trust dir (with --gun, the \
            targets and snapshot keys of those GUNs and every delegation key). The root key is never held unless \
            --include-root is given. Passphrases come from the same variables or prompt as for publish.

            Examples:
              signet agent start
              signet agent start --lifetime 2h --gun registry.example.com/team/app
            """
        )

        @Option(name: .long, help: ArgumentHelp("How long the agent runs: a number with s, m, h or d; at most 24h (default 15m). (The global --timeout is the trust server's request deadline.)", valueName: "duration"))
        var lifetime = "15m"
        @Option(name: .long, help: ArgumentHelp("Hold only the targets and snapshot keys of GUN (repeatable), besides the delegation keys.", valueName: "gun"))
        var gun: [String] = []
        @Option(name: .long, help: ArgumentHelp("Hold only the key with this ID or ID prefix (repeatable).", valueName: "key-id"))
        var key: [String] = []
        @Flag(name: .long, help: "Also hold the root keys (off by default: root signs rarely and matters most).")
        var includeRoot = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard let seconds = DurationText.seconds(lifetime), seconds >= 1, seconds <= AgentServer.maxTimeoutSeconds else {
                throw ClientError(.usage, "--lifetime \(lifetime) is not a duration from 1s to 24h (a number followed by s, m, h or d)")
            }
            for gun in gun { try GUN.validate(gun) }
            let (directory, socket) = AgentCommand.located(global)
            // Refused before any passphrase is asked: an unsafe directory, a live agent.
            try AgentSocket.checkDirectory(directory.privateDirectory.path)
            try AgentSocket.removeStale(socket)
            let store = KeyStore(directory: directory)
            let selected = try select(store)
            guard !selected.isEmpty else {
                throw ClientError(.notTrusted, "no key to hold in \(directory.privateDirectory.path)\(gun.isEmpty ? "" : " for \(gun.joined(separator: ", "))")")
            }
            var held: [AgentServer.HeldKey] = []
            for stored in selected {
                held.append(AgentServer.HeldKey(role: stored.role, gun: stored.gun, privateKey: try store.load(stored)))
            }
            var handOver = try AgentHandOver.encode(held)
            held.removeAll()
            _ = try AgentLauncher.start(arguments: ["agent", "run", "-d", directory.url.path, "--lifetime-seconds", String(seconds)], handOver: &handOver)
            guard let status = try AgentClient(socketPath: socket).status() else {
                throw ClientError(.io, "the signing agent said it listens on \(socket), but nothing answers there")
            }
            let (json, lines) = AgentCommand.describe(status, socket: socket)
            if global.json { Output.json(json); return }
            Output.line(socket)
            for line in lines { SystemFile.writeStandardError(line + "\n") }
        }

        /// The keys to hold: `--key` ones, else the default roles (and `--gun`'s GUNs); root keys
        /// only with `--include-root`.
        func select(_ store: KeyStore) throws -> [StoredKey] {
            if !key.isEmpty {
                var chosen: [StoredKey] = []
                for prefix in key {
                    let stored = try store.resolve(prefix)
                    guard stored.role != RoleName.root || includeRoot else {
                        throw ClientError(.usage, "key \(stored.id) is a root key: the agent holds root keys only with --include-root")
                    }
                    if !chosen.contains(where: { $0.id == stored.id }) { chosen.append(stored) }
                }
                return chosen
            }
            return store.list().filter { stored in
                if stored.role == RoleName.root { return includeRoot }
                if RoleName.isDelegation(stored.role) { return true }
                guard stored.role == RoleName.targets || stored.role == RoleName.snapshot else { return false }
                return gun.isEmpty || gun.contains { ExactName.equal($0, stored.gun ?? "") }
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the trust dir's signing agent: its keys (key ID, role, GUN) and the time left.",
            discussion: "Exits 1 when no agent runs for the trust dir.\n\nExample:\n  signet agent status --json"
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (directory, socket) = AgentCommand.located(global)
            guard let status = try AgentClient(socketPath: socket).status() else { throw AgentCommand.noAgent(directory, socket) }
            let (json, lines) = AgentCommand.describe(status, socket: socket)
            if global.json { Output.json(json); return }
            for line in lines { Output.line(line) }
        }
    }

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stop",
            abstract: "Stop the trust dir's signing agent; it removes its socket and drops its keys.",
            discussion: "Exits 1 when no agent runs for the trust dir.\n\nExample:\n  signet agent stop"
        )
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (directory, socket) = AgentCommand.located(global)
            guard try AgentClient(socketPath: socket).stop() else { throw AgentCommand.noAgent(directory, socket) }
            Output.result(["socket": socket, "stopped": true], "Stopped the signing agent at \(socket)")
        }
    }

    /// The agent process itself, started by `start` (keys on standard input, `AgentHandOver`).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "The agent process (started by `signet agent start`; reads its keys from standard input).",
            shouldDisplay: false
        )
        @Option(name: .long, help: "Seconds until the agent exits (1 … 86400).") var lifetimeSeconds: Int64
        @OptionGroup var global: GlobalOptions

        func run() throws {
            setsid()
            let server: AgentServer
            do {
                let directory = ClientContext(global: global).trustDir
                try AgentSocket.checkDirectory(directory.privateDirectory.path)
                let keys = try AgentHandOver.read(from: STDIN_FILENO)
                server = try AgentServer(socketPath: AgentSocket.path(in: directory), keys: keys, timeoutSeconds: lifetimeSeconds)
            } catch let error as ClientError {
                SystemFile.writeStandardOutput("error \(error.code.rawValue) \(error.message.replacingLiterally("\n", with: " "))\n")
                throw ExitCode(ExitStatus.classify(error).0)
            }
            SystemFile.writeStandardOutput("ready\n")
            let null = open("/dev/null", O_RDWR)
            if null >= 0 { for fd in [STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO] { dup2(null, fd) }; if null > 2 { close(null) } }
            server.run()
        }
    }
}
