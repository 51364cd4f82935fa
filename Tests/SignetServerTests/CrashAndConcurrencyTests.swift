import Foundation
import Logging
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// `signet serve` killed mid-publish, and many notary clients publishing to one GUN at once, with
/// each storage backend (PostgreSQL: `--storage postgres://…` on the suite's throwaway cluster, and
/// two servers on one database for the concurrent publishes).
@Suite(.serialized, .postgresCluster) struct CrashAndConcurrencyTests {
    static let gun = "example.com/library/app"

    /// Every collection in `storage` is consistent: root, targets, snapshot and timestamp exist, the
    /// timestamp names the current snapshot's hash, and the snapshot names the current root and targets.
    func checkConsistent(_ storage: ServedStorage) throws {
        let store = try storage.open()
        let timestampFile = try #require(try store.current(gun: Self.gun, role: "timestamp"))
        let timestamp = try Timestamp(signed: MetadataFile.parse(timestampFile.bytes, role: "timestamp").signed)
        let snapshotFile = try #require(try store.byHash(gun: Self.gun, role: "snapshot", sha256Hex: timestamp.snapshot.sha256Hex ?? ""))
        #expect(snapshotFile.version == (try store.current(gun: Self.gun, role: "snapshot"))?.version)
        let snapshot = try Snapshot(signed: MetadataFile.parse(snapshotFile.bytes, role: "snapshot").signed)
        for role in ["root", "targets"] {
            let current = try #require(try store.current(gun: Self.gun, role: role))
            try snapshot.meta[role]!.check(current.bytes, role: role, parent: "snapshot")
        }
    }

    @Test(arguments: StoreBackend.allCases) func sigkillDuringPublishesLeavesConsistentCollections(_ backend: StoreBackend) throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = try ServedStorage(backend, scratch)
        var server = try storage.startServer()
        defer { server.kill() }
        var publisher = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial"] {
            #expect(try publisher.run(try CLITranscript.load(transcript).arguments).status == 0)
        }
        let input = scratch.path + "/payload"
        try Data("payload".utf8).write(to: URL(fileURLWithPath: input))
        for round in 0..<8 {
            _ = try publisher.run(["add", Self.gun, "t\(round)", input])
            // Start a publish and kill the server at a random moment during it.
            let publish = Process()
            publish.executableURL = URL(fileURLWithPath: NotaryCLI.binary)
            publish.arguments = ["-s", server.baseURL, "-d", publisher.trustDir, "publish", Self.gun]
            publish.environment = ProcessInfo.processInfo.environment.merging(NotaryCLI.environment) { $1 }
            publish.standardOutput = FileHandle.nullDevice
            publish.standardError = FileHandle.nullDevice
            try publish.run()
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.05))
            server.kill()
            publish.waitUntilExit()
            try checkConsistent(storage)
            server = try storage.startServer()
            publisher = NotaryCLI(server: server.baseURL, trustDir: publisher.trustDir)
        }
        // Whatever was interrupted can be published now, and a new consumer verifies everything.
        let final = try publisher.run(["publish", Self.gun])
        #expect(final.status == 0, "\(final.stdout) \(final.stderr)")
        let consumer = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/consumer")
        let list = try consumer.run(["list", Self.gun])
        #expect(list.status == 0, "\(list.stderr)")
        for round in 0..<8 { #expect(list.stdout.contains("t\(round) "), "t\(round) missing: \(list.stdout)") }
        try checkConsistent(storage)
        #expect(server.stop() == 0)
    }

    @Test(arguments: StoreBackend.allCases) func twentyConcurrentPublishesToOneGUN(_ backend: StoreBackend) throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = try ServedStorage(backend, scratch)
        let server = try storage.startServer()
        defer { server.stop() }
        // PostgreSQL: a second server on the same database (and key directory), as two replicas.
        let servers = backend == .postgres ? [server, try storage.startServer()] : [server]
        defer { for other in servers.dropFirst() { other.stop() } }
        let base = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial"] {
            #expect(try base.run(try CLITranscript.load(transcript).arguments).status == 0)
        }
        let input = scratch.path + "/payload"
        try Data("payload".utf8).write(to: URL(fileURLWithPath: input))
        var clients: [NotaryCLI] = []
        for index in 0..<20 {
            let copy = scratch.path + "/trust\(index)"
            try FileManager.default.copyItem(atPath: base.trustDir, toPath: copy)
            let client = NotaryCLI(server: servers[index % servers.count].baseURL, trustDir: copy)
            #expect(try client.run(["add", Self.gun, "c\(index)", input]).status == 0)
            clients.append(client)
        }
        let outcomes = ResultBox()
        let winners = WinnerBox()
        let racers = clients
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let result = try? racers[index].run(["publish", Self.gun])
            outcomes.add(result?.status == 0)
            if result?.status == 0 { winners.add(index) }
        }
        #expect(outcomes.successes >= 1)
        let consumer = NotaryCLI(server: servers[servers.count - 1].baseURL, trustDir: scratch.path + "/consumer")
        let list = try consumer.run(["list", Self.gun])
        #expect(list.status == 0, "\(list.stderr)")
        let listed = Set(list.stdout.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix("c") else { return nil }
            return Int(line.dropFirst().prefix { $0.isNumber })
        })
        // Every successful publish built on the state before it, so all of their targets survive.
        #expect(listed == winners.values, "listed \(listed.sorted()), successful \(winners.values.sorted())")
        try checkConsistent(storage)
    }
}

/// A served storage: the directory `signet serve` keeps the file store and the server keys in
/// and, for PostgreSQL, a fresh database of the suite's cluster, given as `--storage URI` (after
/// `ServerProcess`'s `--storage DIR`: the last one wins) with the directory as the config file's
/// `storage.directory` and the password in `SIGNET_STORAGE_PASSWORD`.
struct ServedStorage {
    let directory: String
    let database: PostgresConnectionParameters?

    init(_ backend: StoreBackend, _ scratch: TemporaryDirectory) throws {
        directory = scratch.path + "/data"
        switch try backend.location(scratch) {
        case .directory: database = nil
        case .database(let parameters): database = parameters
        }
    }

    func startServer() throws -> ServerProcess {
        guard let database else { return try ServerProcess(storage: directory) }
        let config = directory + ".json"
        try JSONSerialization.data(withJSONObject: ["storage": ["directory": directory]]).write(to: URL(fileURLWithPath: config))
        return try ServerProcess(storage: directory, extraArguments: ["--config", config, "--storage", database.url],
                                 environment: ["SIGNET_STORAGE_PASSWORD": database.password ?? ""])
    }

    /// The store as the server sees it, read directly.
    func open() throws -> MetadataStore {
        guard let database else { return try FileStore(directory: directory) }
        return try PostgresStore(parameters: database)
    }
}

final class WinnerBox: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var set: Set<Int> = []
    func add(_ value: Int) { lock.withLock { _ = set.insert(value) } }
    var values: Set<Int> { lock.withLock { set } }
}
