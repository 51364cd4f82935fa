import Foundation
@testable import SignetServer
import SignetTUF
import Testing

/// `signet serve` on PostgreSQL: `--storage postgres://…` and the config file's `storage.backend`
/// / `storage.url`, the password from `SIGNET_STORAGE_PASSWORD`, and what is never printed.
@Suite(.postgresCluster) struct PostgresServeTests {
    func database() throws -> (PostgresCluster, PostgresConnectionParameters) {
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        return (cluster, try cluster.makeDatabase())
    }

    /// The notary client initializes and publishes through a server on `--storage postgres://…`;
    /// the collection is in the database (not the directory), and neither the password nor the
    /// URI reaches stdout or the log.
    @Test func serveWithPostgresURL() throws {
        guard FileManager.default.isExecutableFile(atPath: NotaryCLI.binary) else { Issue.record("notary missing (Debian package notary)"); return }
        let (cluster, database) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let keys = scratch.path + "/keys"
        let config = scratch.path + "/server.json"
        try JSONSerialization.data(withJSONObject: ["storage": ["directory": keys]]).write(to: URL(fileURLWithPath: config))
        // ServerProcess passes --storage KEYS first; the URI after it wins, the directory comes from the config.
        let server = try ServerProcess(storage: keys, extraArguments: ["--config", config, "--storage", database.url],
                                       environment: ["SIGNET_STORAGE_PASSWORD": cluster.password])
        defer { server.stop() }
        let client = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial"] {
            let result = try client.run(try CLITranscript.load(transcript).arguments)
            #expect(result.status == 0, "\(transcript): \(result.stderr)")
        }
        let gun = CrashAndConcurrencyTests.gun
        let store = try PostgresStore(parameters: database)
        for role in ["root", "targets", "snapshot", "timestamp"] {
            #expect(try store.current(gun: gun, role: role) != nil, "\(role) is not in the database")
        }
        #expect(!FileManager.default.fileExists(atPath: keys + "/repos"), "collections went to the directory")
        #expect(FileManager.default.fileExists(atPath: keys + "/keys"), "server keys stay in the storage directory")
        #expect(server.stop() == 0)
        #expect(!server.log.contains(cluster.password) && !server.log.contains(cluster.directory), "\(server.log)")
        #expect(server.log.contains("(storage PostgreSQL database)"), "\(server.log)")
    }

    /// The config file selects the backend; `storage.directory` holds the server keys.
    @Test func configFileSelectsPostgres() throws {
        let (cluster, database) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = scratch.path + "/server.json"
        let object: [String: Any] = ["storage": ["backend": "postgres", "url": database.url, "directory": scratch.path + "/keys"]]
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: config))
        let loaded = try ServeConfiguration.load(file: config)
        #expect(loaded.storageURL == database.url && loaded.storageDirectory == scratch.path + "/keys")
        #expect(loaded.storageDescription == "PostgreSQL database")
        // A --storage flag wins over the file: a directory selects the file store, a URI PostgreSQL.
        var flagged = loaded
        flagged.setStorage(scratch.path + "/files")
        #expect(flagged.storageURL == nil && flagged.storageDirectory == scratch.path + "/files")
        flagged.setStorage(database.url)
        #expect(flagged.storageURL == database.url)
        _ = cluster
    }

    /// Misconfigured storage is refused with one line naming the key.
    @Test func badStorageConfigIsRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let cases: [(String, String)] = [
            (#"{"storage": {"backend": "postgres"}}"#, "storage.backend postgres needs storage.url"),
            (#"{"storage": {"backend": "postgres", "url": "mysql://x"}}"#, "storage.backend postgres needs storage.url"),
            (#"{"storage": {"url": "postgres://x/db"}}"#, "storage.url is set but storage.backend is file"),
            (#"{"storage": {"backend": "mysql"}}"#, "storage.backend must be file or postgres, not mysql"),
        ]
        for (text, message) in cases {
            let config = scratch.path + "/bad.json"
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            #expect(throws: ServeConfiguration.Problem.self) { _ = try ServeConfiguration.load(file: config) }
            do { _ = try ServeConfiguration.load(file: config) } catch let problem as ServeConfiguration.Problem {
                #expect(problem.description.contains(message), "\(problem)")
            }
        }
    }

    /// A database that refuses the login stops `serve` at start with exit 3 and one line that names
    /// the failure but not the password.
    @Test func wrongPasswordExitsThreeWithoutThePassword() throws {
        let (cluster, database) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let wrong = "not-the-password-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Paths.signetBinary())
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--storage", database.url]
        process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
        process.environment = ProcessInfo.processInfo.environment.merging(["SIGNET_STORAGE_PASSWORD": wrong]) { $1 }
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 3, "\(text)")
        #expect(text.contains("password authentication failed"), "\(text)")
        #expect(text.split(separator: "\n").count == 1, "\(text)")
        #expect(!text.contains(wrong) && !text.contains(cluster.password), "\(text)")
    }
}
