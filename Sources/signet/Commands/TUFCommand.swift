import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// `signet tuf …`: a TUF 1.0 client (TUF specification 1.0, §5) for repositories such as
/// sigstore's root of trust, PyPI's, tuf-on-ci's: the client of the TUF conformance suite's
/// CLIENT-CLI.md contract (`scripts/tuf-conformance-client`), with its option names.
struct TUFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf",
        abstract: "A TUF 1.0 client: trust a root, refresh metadata, download and verify targets.",
        discussion: """
        Metadata is stored in --metadata-dir exactly as the repository served it (root.json, timestamp.json, \
        snapshot.json, targets.json, and one file per delegated role, its name percent-encoded). \
        See docs/tuf.md.

        Example (sigstore's root of trust):
          signet tuf init sigstore-root.json --metadata-dir ./sigstore
          signet tuf download trusted_root.json --metadata-dir sigstore \\
            --metadata-url https://tuf-repo-cdn.sigstore.dev \\
            --target-base-url https://tuf-repo-cdn.sigstore.dev/targets --target-dir out
        """,
        subcommands: [TUFInitCommand.self, TUFRefreshCommand.self, TUFDownloadCommand.self, TUFVerifyCommand.self]
    )
}

/// `signet tuf …` takes the TLS options, `--timeout`, `--verbose` and `--json`; the trust dir and
/// the Notary server do not apply to it (`GlobalOptions.refuseUnused(by:)`).
protocol TUFSubcommand: RefusesClientOptions {}

extension TUFSubcommand {
    static var commandPath: String { "tuf \(configuration.commandName ?? "")" }
    static var refusedClientOptions: Set<String> { ["--trust-dir", "--server"] }
    static var refusalReason: String { "signet tuf keeps its trusted metadata in --metadata-dir and reads the repository at --metadata-url" }
}

/// Options every `signet tuf` command takes.
struct TUFMetadataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Directory of the client's trusted metadata.", valueName: "dir"))
    var metadataDir: String

    var directory: TUF1MetadataDirectory { TUF1MetadataDirectory(directory: URL(fileURLWithPath: metadataDir)) }
}

struct TUFInitCommand: TUFSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Trust ROOT_FILE, a TUF 1.0 root obtained out of band; nothing is fetched.",
        discussion: """
        The root must carry its own threshold of valid signatures (its expiry is judged at the first refresh, \
        after looking for newer roots). It is stored as root.json in --metadata-dir, byte for byte. A metadata \
        directory that already trusts another root is refused.

        Example:
          signet tuf init ./root.json --metadata-dir ./metadata
        """
    )

    @Argument(help: ArgumentHelp("The trusted root metadata file.", valueName: "root-file"))
    var rootFile: String

    @OptionGroup var metadata: TUFMetadataOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let bytes = try BoundedFile.readInput(rootFile, maxLength: MetadataLimits.maxRootBytes, what: "root file")
        let file = try TUF1Metadata.parse(bytes, role: TUF1Root.type, maxLength: MetadataLimits.maxRootBytes)
        try file.requireType(TUF1Root.type, role: TUF1Root.type)
        let root = try TUF1Root(signed: file.signed)
        do { try root.verify(file, as: TUF1Root.type) } catch let error as TUFError {
            throw TUFError(error.code, "\(rootFile) is not signed by its own root keys: \(error.message)", role: TUF1Root.type)
        }
        let directory = metadata.directory
        if let existing = try directory.load(TUF1Root.type, maxLength: MetadataLimits.maxRootBytes), existing != bytes {
            throw ClientError(.usage, "\(metadata.metadataDir) already trusts a root (root.json); use an empty directory to trust another one")
        }
        try ClientFile.makeDirectory(directory.directory)
        try directory.store(TUF1Root.type, bytes)
        Output.result(["metadataDir": metadata.metadataDir, "rootVersion": Int(root.version)] as [String: Any],
                      "trusting root v\(root.version) in \(metadata.metadataDir)")
    }
}

/// The updater for `--metadata-dir` and `--metadata-url`, judging expiry now.
private func onlineUpdater(_ metadata: TUFMetadataOptions, metadataURL: String, targetsURL: String?, global: GlobalOptions) throws
    -> (TUF1Updater, TUF1HTTPRepository) {
    let repository = try TUF1HTTPRepository(metadataURL: metadataURL, targetsURL: targetsURL, tls: try ClientContext(global: global).tls(),
                                            timeout: try global.resolvedTimeout())
    return (TUF1Updater(local: metadata.directory, remote: repository, now: Clock.tufNow()), repository)
}

/// The versions trusted after a refresh, for output.
private func versions(_ updater: TUF1Updater) -> [String: Int] {
    var versions: [String: Int] = [:]
    if let root = updater.root { versions["root"] = Int(root.version) }
    if let timestamp = updater.timestamp { versions["timestamp"] = Int(timestamp.version) }
    if let snapshot = updater.snapshot { versions["snapshot"] = Int(snapshot.version) }
    return versions
}

struct TUFRefreshCommand: TUFSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "refresh",
        abstract: "Update the trusted root, timestamp, snapshot and targets from the repository (TUF 1.0 §5).",
        discussion: """
        Exit 0 when every top-level role was updated and verified; exit 1 naming the role and the check \
        that failed (what verified before it stays stored); exit 3 when the repository cannot be reached.

        Example:
          signet tuf refresh --metadata-dir ./m \\
            --metadata-url https://tuf-repo-cdn.sigstore.dev
        """
    )

    @OptionGroup var metadata: TUFMetadataOptions

    @Option(name: .long, help: ArgumentHelp("Base URL of the repository's metadata.", valueName: "url"))
    var metadataUrl: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let (updater, _) = try onlineUpdater(metadata, metadataURL: metadataUrl, targetsURL: nil, global: global)
        defer { if global.verbose { for line in updater.stored { Output.warning("stored \(line)") } } }
        try updater.refresh()
        let trusted = versions(updater)
        Output.result(trusted, trusted.sorted { $0.key < $1.key }.map { "\($0.key) v\($0.value)" }.joined(separator: ", "))
    }
}

struct TUFDownloadCommand: TUFSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Refresh, then download each TARGET verified into --target-dir.",
        discussion: """
        Targets are looked up through delegations (TUF 1.0 §5.6.7) and processed in order with one updater; the \
        command stops at the first that fails (exit 1). A target already in --target-dir with the listed length \
        and hashes is not downloaded again. Each is stored as its path percent-encoded (a/b.txt → a%2Fb.txt).

        Example:
          signet tuf download trusted_root.json --metadata-dir ./m --target-dir ./out \\
            --metadata-url https://tuf-repo-cdn.sigstore.dev \\
            --target-base-url https://tuf-repo-cdn.sigstore.dev/targets
        """
    )

    @Argument(help: ArgumentHelp("Target paths to download, in order.", valueName: "target"))
    var targets: [String] = []

    @Option(name: .long, help: ArgumentHelp("A target path to download (repeatable; instead of TARGET arguments).", valueName: "target"))
    var targetName: [String] = []

    @OptionGroup var metadata: TUFMetadataOptions

    @Option(name: .long, help: ArgumentHelp("Base URL of the repository's metadata.", valueName: "url"))
    var metadataUrl: String

    @Option(name: .long, help: ArgumentHelp("Base URL of the repository's targets.", valueName: "url"))
    var targetBaseUrl: String

    @Option(name: .long, help: ArgumentHelp("Directory to store verified targets in.", valueName: "dir"))
    var targetDir: String

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard targets.isEmpty || targetName.isEmpty else { throw ValidationError("give targets as arguments or with --target-name, not both") }
        guard !(targets + targetName).isEmpty else { throw ValidationError("name at least one target to download") }
    }

    func run() throws {
        let (updater, repository) = try onlineUpdater(metadata, metadataURL: metadataUrl, targetsURL: targetBaseUrl, global: global)
        defer { if global.verbose { for line in updater.stored { Output.warning("stored \(line)") } } }
        let download = TUF1TargetDownload(directory: URL(fileURLWithPath: targetDir), repository: repository)
        var done: [[String: Any]] = []
        for path in targets + targetName {
            guard let match = try updater.targetInfo(path) else {
                throw TUFError(.notFound, "target \(RoleName.printable(path)) is not listed by any role that may sign it")
            }
            try ClientFile.makeDirectory(download.directory)
            let (file, outcome) = try download.fetch(match, consistentSnapshot: updater.root?.consistentSnapshot ?? false)
            done.append(["target": path, "file": file.path, "length": Int(match.file.length), "role": match.role, "outcome": outcome.rawValue])
            if !global.json { Output.line("\(path) \(outcome.rawValue) to \(file.path)") }
        }
        if global.json { Output.json(["targets": done]) }
    }
}

struct TUFVerifyCommand: TUFSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Print the trusted sha256 of TARGET from --metadata-dir alone, offline.",
        discussion: """
        Verifies the stored root, timestamp, snapshot, targets and the delegations on TARGET's path as a refresh \
        would, fetching nothing, with expiry judged now or at --at. Exit 0 and sha256:HEX (or the first listed hash) \
        when trusted; exit 1 with the reason when not.

        Example:
          signet tuf verify trusted_root.json --metadata-dir ./m --at 2025-02-09T12:00:00Z
        """
    )

    @Argument(help: ArgumentHelp("The target path.", valueName: "target"))
    var target: String

    @OptionGroup var metadata: TUFMetadataOptions

    @Option(name: .long, help: ArgumentHelp("Judge expiry at this RFC 3339 instant instead of now.", valueName: "time"))
    var at: String?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let at { do { _ = try TUFTime(rfc3339: at) } catch let error as TUFError { throw ValidationError("--at: \(error.message)") } }
    }

    func run() throws {
        let now = try at.map { try TUFTime(rfc3339: $0) } ?? Clock.tufNow()
        let updater = TUF1Updater(local: metadata.directory, remote: nil, now: now)
        guard let match = try updater.targetInfo(target) else {
            throw TUFError(.notFound, "target \(RoleName.printable(target)) is not listed by any role that may sign it")
        }
        let algorithm = match.file.hashes["sha256"] != nil ? "sha256" : match.file.hashes.keys.sorted().first ?? "sha256"
        let digest = "\(algorithm):\(Hex.encode(match.file.hashes[algorithm] ?? []))"
        Output.result(["trusted": true, "target": target, "digest": digest, "length": Int(match.file.length), "role": match.role,
                       "hashes": match.file.hashes.mapValues(Hex.encode)] as [String: Any], digest)
    }
}
