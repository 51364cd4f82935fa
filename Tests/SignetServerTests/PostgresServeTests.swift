import Foundation
@testable import SignetServer
import SignetTUF
import SignetTestSupport
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
        // Server keys are in the database too (issue 13 item 3), not in the storage directory.
        #expect(!FileManager.default.fileExists(atPath: keys + "/keys"), "server keys went to the storage directory")
        let held = try PostgresConnection(database).execute(PostgresStatement(name: "count_keys", sql: "SELECT count(*)::int8 FROM signet_server_keys WHERE gun = $1"), [.text(gun)])
        #expect(try held.int64(0, 0) == 1, "the timestamp key is not in the database")
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
        // Said as what it is, not as an outage.
        #expect(text.hasPrefix("signet: storage login refused: the PostgreSQL database refused the login:"), "\(text)")
        #expect(text.contains("authentication failed for user \"signet\""), "\(text)")
        #expect(text.split(separator: "\n").count == 1, "\(text)")
        #expect(!text.contains(wrong) && !text.contains(cluster.password), "\(text)")
    }
}

extension PostgresServeTests {
    /// Runs `signet serve ARGUMENTS` to its exit (it must not start serving), password in the environment.
    func serveExits(_ arguments: [String], password: String?, passphrase: String = "test-server-passphrase",
                    in directory: String) throws -> CommandResult {
        var environment = ["SIGNET_SERVER_KEY_PASSPHRASE": passphrase]
        if let password { environment["SIGNET_STORAGE_PASSWORD"] = password }
        return try runCommand(try Paths.signetBinary(), ["serve", "--listen", "127.0.0.1:0"] + arguments,
                              environment: environment, directory: directory)
    }

    /// `--migrate-only` brings a new database to this build's schema and exits 0 without serving;
    /// a database migrated by a newer Signet is refused, by it and by a plain start, with exit 2
    /// and one line naming both migration numbers (not as an I/O failure); with the file store
    /// there is nothing to migrate, which is bad usage.
    @Test func migrateOnlyAndANewerSchema() throws {
        let (cluster, parameters) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let migrated = try serveExits(["--migrate-only", "--storage", parameters.url], password: cluster.password, in: scratch.path)
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout == "signet: PostgreSQL database schema at migration \(PostgresStore.schemaVersion)\n", "\(migrated.stdout)")
        #expect(!migrated.stdout.contains("serving"))
        let admin = try PostgresConnection(parameters)
        #expect(try admin.execute(PostgresSchema.highestApplied).optionalInt64(0, 0) == Int64(PostgresStore.schemaVersion))
        let json = try serveExits(["--migrate-only", "--json", "--storage", parameters.url], password: cluster.password, in: scratch.path)
        #expect(json.status == 0 && json.stdout.contains("\"schema\":\(PostgresStore.schemaVersion)"), "\(json.stdout)")

        let newer = PostgresStore.schemaVersion + 1
        _ = try admin.execute(PostgresSchema.record, [.int64(Int64(newer))])
        for arguments in [["--migrate-only", "--storage", parameters.url], ["--storage", parameters.url]] {
            let refused = try serveExits(arguments, password: cluster.password, in: scratch.path)
            #expect(refused.status == 2, "\(arguments): \(refused.status) \(refused.stderr)")
            #expect(refused.stderr == "signet: the database's schema is at migration \(newer), newer than the \(PostgresStore.schemaVersion) this signet knows; run a newer signet\n",
                    "\(refused.stderr)")
        }
        let files = try serveExits(["--migrate-only", "--storage", scratch.path + "/files"], password: nil, in: scratch.path)
        #expect(files.status == 2 && files.stderr.contains("--migrate-only migrates a PostgreSQL database"), "\(files.stderr)")
    }

    /// A replica started with another key passphrase than the one the database's server keys are
    /// encrypted with refuses to start (exit 2), naming the setting and not the passphrase.
    @Test func anotherKeyPassphraseRefusesToStart() throws {
        let (cluster, parameters) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let first = try ServedStorage(directory: scratch.path + "/a", database: parameters).startServer()
        #expect(first.stop() == 0)
        let refused = try serveExits(["--storage", parameters.url], password: cluster.password, passphrase: "another-passphrase-42",
                                     in: scratch.path)
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("key passphrase does not decrypt the server keys") && refused.stderr.contains("SIGNET_SERVER_KEY_PASSPHRASE"),
                "\(refused.stderr)")
        #expect(!refused.stderr.contains("another-passphrase-42") && !refused.stderr.contains("test-server-passphrase"))
    }

    /// `storage.pool_size` and `storage.cache_staleness_ms` from the config file, in range only.
    @Test func poolSizeAndStalenessFromTheConfig() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = scratch.path + "/server.json"
        try #"{"storage": {"backend": "postgres", "url": "postgres:///db", "pool_size": 4, "cache_staleness_ms": 0}}"#
            .write(toFile: config, atomically: true, encoding: .utf8)
        let loaded = try ServeConfiguration.load(file: config)
        #expect(loaded.storagePoolSize == 4 && loaded.storageCacheStalenessMilliseconds == 0)
        #expect(ServeConfiguration().storagePoolSize == ServeConfiguration.workerThreads)
        for (text, message) in [(#"{"storage": {"pool_size": 0}}"#, "storage.pool_size must be an integer in 1…1000"),
                                (#"{"storage": {"pool_size": "8"}}"#, "storage.pool_size must be an integer in 1…1000"),
                                (#"{"storage": {"cache_staleness_ms": 60001}}"#, "storage.cache_staleness_ms must be an integer in 0…60000")] {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            let refused = #expect(throws: ServeConfiguration.Problem.self) { _ = try ServeConfiguration.load(file: config) }
            #expect(refused?.description.contains(message) == true, "\(String(describing: refused))")
        }
    }

    /// docs/operations.md's nginx `location` block in front of two `signet serve` replicas on one
    /// database, each with its own storage directory: the real notary client initializes,
    /// publishes and reads through nginx, both replicas answer part of the requests, and a
    /// consumer through either replica directly sees the same collection.
    @Test func nginxInFrontOfTwoServers() throws {
        guard RequiredTool.isInstalled("/usr/sbin/nginx"), RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let (_, parameters) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = ServedStorage(directory: scratch.path + "/shared", database: parameters)
        let replicas = [try storage.startServer(own: scratch.path + "/a"), try storage.startServer(own: scratch.path + "/b")]
        defer { for replica in replicas { replica.stop() } }
        let nginx = try NginxProxy(directory: scratch.path + "/nginx", upstreams: replicas.map(\.port))
        defer { nginx.stop() }
        let client = NotaryCLI(server: "http://127.0.0.1:\(nginx.port)", trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial", "04-add-file", "09-publish-targets"] {
            let loaded = try CLITranscript.load(transcript)
            let result = try client.run(loaded.arguments, stdin: loaded.stdinData)
            #expect(result.status == 0, "\(transcript): \(result.stderr)")
        }
        let gun = CrashAndConcurrencyTests.gun
        let list = try client.run(["list", gun])
        #expect(list.status == 0 && list.stdout.contains("hello "), "\(list.stdout) \(list.stderr)")
        for (index, replica) in replicas.enumerated() {
            #expect(replica.log.contains("path=/v2/\(gun)/"), "replica \(index) answered nothing through nginx")
            let direct = try NotaryCLI(server: replica.baseURL, trustDir: scratch.path + "/consumer\(index)").run(["list", gun])
            #expect(direct.status == 0 && direct.stdout.contains("hello "), "replica \(index): \(direct.stdout) \(direct.stderr)")
        }
    }
}

/// nginx in the foreground (`master_process off`, so it needs no user switch) listening on a free
/// 127.0.0.1 port, proxying to `upstreams` with the `location /` block of docs/operations.md.
final class NginxProxy: @unchecked Sendable {
    // @unchecked Sendable: `process` is only started and stopped by the test's thread.
    let process = Process()
    let port: Int

    init(directory: String, upstreams: [Int]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let docs = try String(contentsOf: Paths.packageRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        guard let start = docs.range(of: "    location / {\n"), let end = docs.range(of: "\n    }\n", range: start.upperBound..<docs.endIndex) else {
            throw TestFailure("docs/operations.md has no nginx `location / {` block")
        }
        let location = String(docs[start.lowerBound..<end.upperBound])
        port = try FreePort.pick()
        let servers = upstreams.map { "        server 127.0.0.1:\($0) max_fails=3 fail_timeout=10s;" }.joined(separator: "\n")
        let config = """
        daemon off;
        master_process off;
        pid \(directory)/nginx.pid;
        error_log \(directory)/error.log warn;
        events { worker_connections 256; }
        http {
            access_log off;
            client_body_temp_path \(directory)/body;
            proxy_temp_path \(directory)/proxy;
            fastcgi_temp_path \(directory)/fastcgi;
            uwsgi_temp_path \(directory)/uwsgi;
            scgi_temp_path \(directory)/scgi;
            upstream signet {
        \(servers)
                keepalive 32;
            }
            server {
                listen 127.0.0.1:\(port);
        \(location)
            }
        }
        """
        let path = directory + "/nginx.conf"
        try config.write(toFile: path, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", directory, "-c", path, "-e", directory + "/error.log"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, process.isRunning {
            if (try? RawHTTP.send(port: port, method: "GET", target: "/_notary_server/health"))?.status == 200 { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let log = (try? String(contentsOfFile: directory + "/error.log", encoding: .utf8)) ?? ""
        process.terminate()
        throw TestFailure("nginx did not start: \(log)")
    }

    /// SIGKILL: nginx inherits the test process's blocked signal mask and, without a master
    /// process, never unblocks SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
