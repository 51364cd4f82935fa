import ArgumentParser
import FoundationEssentials
import SignetServer
import SignetSupport
import SignetTUF

/// `signet storage …`: move a trust server's data between backends, or in from notary-server.
struct StorageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Copy a trust server's storage between a directory and PostgreSQL, or import a notary-server database.",
        discussion: """
        Both commands write into an empty destination only (a second run over a finished copy is \
        refused), keep every version of every role with its creation time and the changefeed with \
        its IDs, and verify every collection afterwards. Stop the servers using the source first, or \
        copy from a backup. Database passwords: SIGNET_STORAGE_PASSWORD for the destination, \
        SIGNET_SOURCE_STORAGE_PASSWORD for the source, else ~/.pgpass. See docs/operations.md.
        """,
        subcommands: [Copy.self, ImportNotary.self]
    )

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "copy",
            abstract: "Copy every collection, its full history and the changefeed from one storage to another.",
            discussion: """
            --from and --to are each a storage directory or a PostgreSQL URI. Every collection is \
            checked after copying: the same versions with the same hashes, and the client's \
            verified update from its first root gives the same result as on the source. The \
            server keys are copied sealed: both sides need one passphrase, \
            SIGNET_SERVER_KEY_PASSPHRASE or else the source directory's server-key-passphrase \
            (written into a destination directory that has none).

            Examples:
              signet storage copy --from /var/lib/signet --to postgres://signet@db.example.com/signet
              signet storage copy --from postgres://signet@db.example.com/signet --to /backup/signet-2026-12-01
            """
        )

        @Option(name: .long, help: ArgumentHelp("Storage to copy from: a directory or postgres://user@host:port/db.", valueName: "dir|url"))
        var from: String

        @Option(name: .long, help: ArgumentHelp("Empty storage to copy into: a directory (created if missing) or postgres://user@host:port/db.", valueName: "dir|url"))
        var to: String

        @OptionGroup var output: JSONOption

        func run() throws {
            let source = StorageLocation(from), destination = StorageLocation(to)
            let sourceStore = try source.openExistingStore(password: StoragePasswords.source)
            let destinationStore = try destination.openStore(password: StoragePasswords.destination)
            var copy = StorageCopy(source: sourceStore, destination: destinationStore, now: Clock.tufNow())
            if !source.hasNoKeys {
                let (passphrase, notice) = try StorageLocation.keyPassphrase(source: source, destination: destination)
                if let notice { Output.warning(notice) }
                copy.keys = (try source.openKeys(store: sourceStore, passphrase: passphrase), try destination.openKeys(store: destinationStore, passphrase: passphrase))
            }
            let report = try copy.run { outcome in StorageReport.line(outcome) }
            StorageReport.finish(report, from: source.description, to: destination.description)
        }
    }

    struct ImportNotary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-notary",
            abstract: "Import a notary-server 0.7 PostgreSQL database (tuf_files and changefeed) into an empty Signet storage.",
            discussion: """
            Nothing is re-signed: every version of every role keeps its bytes, so clients that \
            trust a collection keep trusting it. The timestamp (and any server-held snapshot) \
            private keys stay in notary-signer: before a collection's timestamp expires, and \
            before its next publish, hand the timestamp key to Signet with \
            `notary key rotate GUN timestamp -r` (or `signet key rotate GUN timestamp`) against \
            `signet serve`. See docs/operations.md, "Moving from notary-server".

            Example:
              SIGNET_SOURCE_STORAGE_PASSWORD=… signet storage import-notary postgres://server@notary-db/notaryserver --to /var/lib/signet
            """
        )

        @Argument(help: ArgumentHelp("notary-server's database: postgres://user@host:port/db (its storage.db_url).", valueName: "url"))
        var url: String

        @Option(name: .long, help: ArgumentHelp("Empty Signet storage to import into: a directory (created if missing) or postgres://user@host:port/db.", valueName: "dir|url"))
        var to: String

        @OptionGroup var output: JSONOption

        func run() throws {
            guard ServeConfiguration.isPostgresURL(url) else {
                throw ValidationError("\(url) is not a PostgreSQL URI (postgres://user@host:port/db): notary-server's storage.db_url")
            }
            let destination = StorageLocation(to)
            let store = try destination.openStore(password: StoragePasswords.destination)
            let notary = try NotaryDatabase(parameters: PostgresConnectionParameters(url: url, password: StoragePasswords.source))
            let report = try StorageCopy(source: notary, destination: store, now: Clock.tufNow()).run { outcome in
                StorageReport.line(outcome)
                if let advice = StorageReport.timestampKeyAdvice(store, gun: outcome.gun) { Output.line("  \(advice)") }
            }
            StorageReport.finish(report, from: "notary-server database", to: destination.description) { gun in
                StorageReport.timestampKeyAdvice(store, gun: gun)
            }
        }
    }
}

/// The database passwords of `signet storage`, from the environment (never from a flag: it would
/// show in `ps`), else libpq's `~/.pgpass`.
enum StoragePasswords {
    /// `SIGNET_STORAGE_PASSWORD`: the destination, the database `signet serve` will use.
    static var destination: String? { StorageLocation.password() }
    /// `SIGNET_SOURCE_STORAGE_PASSWORD`: the database copied or imported from.
    static var source: String? { StorageLocation.password(from: "SIGNET_SOURCE_STORAGE_PASSWORD") }
}

/// What `signet storage` prints: a line per collection, then a summary or one JSON document.
enum StorageReport {
    static func line(_ outcome: CollectionCheck.Outcome) {
        let keys = outcome.serverKeys.map { " and \($0) server key\($0 == 1 ? "" : "s")" } ?? ""
        let copied = "copied \(outcome.gun): \(outcome.versions) versions of \(outcome.roles) roles\(keys)"
        if let verified = outcome.verified {
            Output.line("\(copied); verified \(verified)")
        } else {
            Output.line(copied)
            Output.warning("\(outcome.gun) does not verify, on the source either: \(outcome.notVerifiedReason ?? "")")
        }
    }

    /// The summary line, or with `--json` the document: `collections` (each `gun`, `versions`,
    /// `roles`, `verified` or `notVerified`, and `serverKeys` advice for an import), `versions`,
    /// `changes`.
    static func finish(_ report: StorageCopy.Report, from: String, to: String, advice: (String) -> String? = { _ in nil }) {
        let collections: [[String: Any]] = report.collections.map { outcome in
            var entry: [String: Any] = ["gun": outcome.gun, "versions": outcome.versions, "roles": outcome.roles]
            if let verified = outcome.verified { entry["verified"] = verified }
            if let reason = outcome.notVerifiedReason { entry["notVerified"] = reason }
            if let count = outcome.serverKeys { entry["serverKeysCopied"] = count }
            if let text = advice(outcome.gun) { entry["serverKeys"] = text }
            return entry
        }
        Output.result(["collections": collections, "versions": report.versions, "changes": report.changes],
                      "copied \(report.collections.count) collections (\(report.versions) versions) and \(report.changes) changefeed records from \(from) to \(to)")
    }

    /// For an imported collection: Signet holds none of notary-server's keys, so its timestamp
    /// can be re-signed only once its owner hands the timestamp key over.
    static func timestampKeyAdvice(_ store: any MetadataStore, gun: String) -> String? {
        guard let stored = try? store.current(gun: gun, role: RoleName.timestamp) else { return nil }
        let expires = (try? MetadataFile.parse(stored.bytes, role: RoleName.timestamp)).flatMap { $0.signed["expires"]?.stringValue } ?? "its expiry"
        return "Signet does not hold the timestamp key of \(gun): before \(expires) and before its next publish, run `notary key rotate \(gun) timestamp -r` (or `signet key rotate \(gun) timestamp`) against signet serve"
    }
}
