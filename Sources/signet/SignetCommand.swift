import ArgumentParser
import FoundationEssentials
import Glibc
import SignetCrypto

/// `signet`: sign images, verify them before pull, run the trust server.
struct Signet: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signet",
        abstract: "Sign container images, verify them before pull, and run a Notary-compatible trust server.",
        discussion: """
        Exit codes: 0 success; 1 verification failed, not trusted or not found; 2 bad usage or bad input file; \
        3 cannot reach the server or another I/O failure.

        Example:
          signet verify docker.io/library/alpine:3.8 --metadata-dir ./alpine-trust --at 2018-07-25T00:00:00Z
        """,
        version: SignetVersion.current,
        subcommands: [VerifyCommand.self, ListCommand.self, LookupCommand.self, RootCommand.self]
            + ClientCommands.all + [ServeCommand.self, StorageCommand.self, TUFCommand.self]
    )

    /// The global options, before or after the subcommand (`GlobalOptions` says how they reach it).
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        GlobalOptions.recordAtRoot(global)
    }
}

enum SignetVersion {
    static let current = "0.1.0"
}

@main
enum SignetMain {
    static func main() {
        // Before anything touches OpenSSL: a CLI process has no use for OpenSSL's exit clean-up.
        OpenSSLProcess.skipCleanupAtExit()
        var command: ParsableCommand
        JSONOutput.isEnabled = JSONOutput.requested(in: CommandLine.arguments)
        do {
            command = try Signet.parseAsRoot()
        } catch {
            // Parsing and validation: ArgumentParser's message; anything but --help/--version is usage (2).
            exit(ExitStatus.reportParseError(error))
        }
        JSONOutput.isEnabled = JSONOutput.requested(by: command) ?? JSONOutput.isEnabled
        do {
            try GlobalOptions.refuseUnused(by: command)
            // The client settings (flag > environment > config file > default), once, so that a
            // bad config file is reported before the command does anything.
            if let global = Mirror(reflecting: command).children.lazy.compactMap({ ($0.value as? OptionGroup<GlobalOptions>)?.wrappedValue }).first {
                _ = try ClientSettings.resolve(global)
            }
            try command.run()
            JSONOutput.writeSuccessIfNeeded()
            exit(ExitStatus.success)
        } catch {
            exit(ExitStatus.report(error))
        }
    }
}
