import Foundation
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// `signet storage import-notary` against a database the real notary-server 0.7 filled (Debian's
/// notary-server with `"storage": {"backend": "postgres", "db_url": …}` on the suite's throwaway
/// cluster, its schema created here), written by the real notary client: init, publishes, a
/// docker-style delegation (`targets/releases`), key rotations, and a collection whose snapshot
/// key notary-server holds. After the import, the notary client and `signet verify` read every
/// collection from `signet serve` unchanged; the timestamp key is handed to Signet with
/// `notary key rotate GUN timestamp -r`, after which publishing works again.
@Suite(.serialized, .postgresCluster) struct NotaryImportTests {
    static let gun = "example.com/library/app"
    static let ssmGUN = "example.com/library/app-ssm"

    /// notary-server 0.7's PostgreSQL tables as its migrations define them
    /// (migrations/server/postgresql: tuf_files; change_category and changefeed).
    static let notarySchema = """
        CREATE TABLE tuf_files (
            id serial PRIMARY KEY,
            created_at timestamp NULL DEFAULT NULL,
            updated_at timestamp NULL DEFAULT NULL,
            deleted_at timestamp NULL DEFAULT NULL,
            gun varchar(255) NOT NULL,
            role varchar(255) NOT NULL,
            version integer NOT NULL,
            data bytea NOT NULL,
            sha256 char(64) DEFAULT NULL,
            UNIQUE (gun, role, version)
        );
        CREATE INDEX tuf_files_sha256_idx ON tuf_files (sha256);
        CREATE TABLE change_category (category varchar(20) PRIMARY KEY);
        INSERT INTO change_category VALUES ('update'), ('deletion');
        CREATE TABLE changefeed (
            id serial PRIMARY KEY,
            created_at timestamp DEFAULT CURRENT_TIMESTAMP,
            gun varchar(255) NOT NULL,
            version integer NOT NULL,
            sha256 char(64) DEFAULT NULL,
            category varchar(20) NOT NULL DEFAULT 'update' REFERENCES change_category
        );
        CREATE INDEX idx_changefeed_gun ON changefeed (gun);
        """

    /// A fresh database with notary-server's schema; its name and libpq parameters.
    func notaryDatabase(_ cluster: PostgresCluster) throws -> (name: String, parameters: PostgresConnectionParameters) {
        let parameters = try cluster.makeDatabase()
        try PostgresConnection(parameters).run(Self.notarySchema)
        let name = parameters.url.components(separatedBy: ":///")[1].components(separatedBy: "?")[0]
        return (name, parameters)
    }

    @Test func importedCollectionsReadUnchangedAndPublishAfterTimestampRotation() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary), RequiredTool.isInstalled("/usr/bin/notary-server") else { return }
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let (name, notaryParameters) = try notaryDatabase(cluster)
        let trust = scratch.path + "/trust"

        // 1. notary-server 0.7 on PostgreSQL, filled by the notary client.
        var listed: [[String]: String] = [:]
        let reads: [[String]] = [["list", Self.gun], ["list", Self.gun, "--roles", "targets/releases"], ["list", Self.ssmGUN]]
        do {
            // lib/pq: a Unix socket directory as host; the cluster has no TLS.
            let dbURL = "postgres://signet:\(cluster.password)@/\(name)?host=\(cluster.directory)&sslmode=disable"
            let notary = try NotaryServerProcess(storage: #"{"backend": "postgres", "db_url": "\#(dbURL)"}"#)
            defer { notary.stop() }
            let client = NotaryCLI(server: notary.url, trustDir: trust)
            for transcript in ["01-init", "03-publish-initial", "04-add-file", "05-add-file-custom", "06-addhash-sha256", "07-addhash-sha256-sha512",
                               "09-publish-targets", "16-delegation-add", "17-key-import-delegation", "19-publish-delegation",
                               "21-add-to-delegation", "22-addhash-to-delegation", "23-publish-delegated", "27-key-rotate-targets",
                               "28-key-rotate-root", "41-ssm-init", "42-ssm-publish-initial", "43-ssm-key-rotate-snapshot-server",
                               "44-ssm-add", "45-ssm-addhash", "46-ssm-publish"] {
                let step = try CLITranscript.load(transcript)
                let result = try client.run(step.arguments, stdin: step.stdinData)
                try #require(result.status == 0, "\(transcript) against notary-server: \(result.stdout) \(result.stderr) \(notary.log)")
            }
            for read in reads {
                let result = try client.run(read)
                try #require(result.status == 0, "\(read): \(result.stderr)")
                listed[read] = result.stdout
            }
            #expect(listed[reads[0]]?.contains("manifest-v1-both") == true && listed[reads[1]]?.contains("release-1.1") == true, "\(listed)")
        }
        let notaryRows = try PostgresConnection(notaryParameters).execute(PostgresStatement(name: "count", sql: "SELECT count(*)::int8 FROM tuf_files"))
        let rowCount = try notaryRows.int64(0, 0)
        #expect(rowCount > 20, "notary-server stored \(rowCount) rows")

        // 2. The import, into a Signet database.
        let signetDatabase = try cluster.makeDatabase()
        let environment = ["SIGNET_STORAGE_PASSWORD": cluster.password, "SIGNET_SOURCE_STORAGE_PASSWORD": cluster.password]
        let imported = try runCommand(try Paths.signetBinary(), ["storage", "import-notary", notaryParameters.url, "--to", signetDatabase.url, "--json"],
                                      environment: environment)
        try #require(imported.status == 0, "\(imported.stdout) \(imported.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(imported.stdout.utf8)) as? [String: Any])
        let collections = try #require(document["collections"] as? [[String: Any]])
        #expect(collections.compactMap { $0["gun"] as? String } == [Self.gun, Self.ssmGUN])
        for collection in collections {
            #expect(collection["verified"] is String, "\(collection)")
            #expect((collection["serverKeys"] as? String)?.contains("notary key rotate \(collection["gun"] ?? "") timestamp -r") == true, "\(collection)")
        }
        #expect(document["versions"] as? Int == Int(rowCount))
        let store = try PostgresStore(parameters: signetDatabase)
        let notaryFeed = try NotaryDatabase(parameters: notaryParameters).changes(gun: nil, changeID: 0, records: 1000)
        #expect(try store.changes(gun: nil, changeID: 0, records: 1000).map(\.id) == notaryFeed.map(\.id) && !notaryFeed.isEmpty)

        // 3. Served by Signet: the publisher (with what it cached from notary-server), a new
        // consumer and `signet verify` read every collection unchanged.
        let server = try ServerProcess(storage: scratch.path + "/keys", extraArguments: ["--storage", signetDatabase.url], environment: environment)
        defer { server.stop() }
        let publisher = NotaryCLI(server: server.baseURL, trustDir: trust)
        let consumer = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/consumer")
        for client in [publisher, consumer] {
            for read in reads {
                let result = try client.run(read)
                #expect(result.status == 0 && result.stdout == listed[read], "\(read) from signet serve: \(result.stdout) \(result.stderr)")
            }
        }
        let signet = try Paths.signetBinary()
        let verifyTrust = scratch.path + "/signet-trust"
        for (image, digest, extra) in [("\(Self.gun):release-1.0", "77a2c7811a9990309db9d20f882f7487857e85fc00d510b66d9b8cb4db2c6c4c", ["--delegation", "targets/releases"]),
                                       ("\(Self.gun):hello", "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447", []),
                                       ("\(Self.ssmGUN):hello", "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447", [])] {
            let verified = try runCommand(signet, ["verify", image, "-s", server.baseURL, "-d", verifyTrust] + extra)
            #expect(verified.status == 0 && verified.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "sha256:\(digest)", "\(image): \(verified.stdout) \(verified.stderr)")
        }

        // 4. Signet does not hold notary-server's timestamp key: a publish is refused, saying so…
        let staged = try publisher.run(["add", Self.gun, "after-import", "fixtures/notary-0.7/inputs/hello.txt"])
        #expect(staged.status == 0, "\(staged.stderr)")
        let refused = try publisher.run(["publish", Self.gun])
        #expect(refused.status == 1 && (refused.stdout + refused.stderr).contains("The root metadata is invalid: no timestamp keys exist on the server"), "\(refused.stdout) \(refused.stderr)")
        // …until its owner hands the timestamp key to Signet; then the staged target publishes.
        let rotated = try publisher.run(["key", "rotate", Self.gun, "timestamp", "-r"])
        #expect(rotated.status == 0, "\(rotated.stdout) \(rotated.stderr)")
        let published = try publisher.run(["publish", Self.gun])
        #expect(published.status == 0, "\(published.stdout) \(published.stderr)")
        let after = try consumer.run(["list", Self.gun])
        #expect(after.status == 0 && after.stdout.contains("after-import") && after.stdout.contains("release-1.1"), "\(after.stdout) \(after.stderr)")
        let verified = try runCommand(signet, ["verify", "\(Self.gun):after-import", "-s", server.baseURL, "-d", verifyTrust])
        #expect(verified.status == 0 && verified.stdout.contains("sha256:a948904f"), "\(verified.stdout) \(verified.stderr)")

        // 5. A collection whose snapshot key notary-server held cannot be handed over on Signet (the
        // rotation needs a new snapshot only that key signs): docs/operations.md has the owner take
        // the snapshot key back while still on notary-server. It stays readable.
        let ssmRotation = try publisher.run(["key", "rotate", Self.ssmGUN, "timestamp", "-r"])
        #expect(ssmRotation.status == 1 && (ssmRotation.stdout + ssmRotation.stderr).contains("server does not hold current snapshot key"),
                "\(ssmRotation.stdout) \(ssmRotation.stderr)")
        let ssmList = try consumer.run(reads[2])
        #expect(ssmList.status == 0 && ssmList.stdout == listed[reads[2]], "\(ssmList.stdout) \(ssmList.stderr)")
    }

    /// A row whose bytes do not match the sha256 notary-server recorded for it is refused (exit 1,
    /// naming the GUN, role and version), and nothing is imported; a database without notary's
    /// tables is refused as bad input (exit 2).
    @Test func tamperedOrForeignDatabasesAreRefused() throws {
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        let (_, notaryParameters) = try notaryDatabase(cluster)
        let connection = try PostgresConnection(notaryParameters)
        try connection.run("""
            INSERT INTO tuf_files (created_at, gun, role, version, data, sha256)
            VALUES (now(), 'example.com/x', 'root', 1, 'forged', '\(String(repeating: "ab", count: 32))')
            """)
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let environment = ["SIGNET_SOURCE_STORAGE_PASSWORD": cluster.password]
        let signet = try Paths.signetBinary()
        let tampered = try runCommand(signet, ["storage", "import-notary", notaryParameters.url, "--to", scratch.path + "/signet"], environment: environment)
        #expect(tampered.status == 1 && tampered.stderr.contains("root version 1 of example.com/x does not match the sha256"), "\(tampered.stderr)")
        #expect(try FileStore(directory: scratch.path + "/signet").collections().isEmpty)

        let foreign = try cluster.makeDatabase()
        let refused = try runCommand(signet, ["storage", "import-notary", foreign.url, "--to", scratch.path + "/other"], environment: environment)
        #expect(refused.status == 2 && refused.stderr.contains("has no tuf_files table"), "\(refused.stderr)")
        let notURL = try runCommand(signet, ["storage", "import-notary", scratch.path, "--to", scratch.path + "/other"])
        #expect(notURL.status == 2 && notURL.stderr.contains("is not a PostgreSQL URI"), "\(notURL.stderr)")
    }
}
