import Foundation
import Logging
import SignetHTTP
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
            let publish = try publisher.start(["publish", Self.gun])
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
        // PostgreSQL: a second server on the same database, as two replicas (a storage directory of
        // its own: the server keys are in the database).
        let servers = backend == .postgres ? [server, try storage.startServer(own: scratch.path + "/replica")] : [server]
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
        // One reader going through the servers in turn while the publishes run, as a client that
        // remembers the newest timestamp it saw.
        let watcher = RollbackWatcher(ports: servers.map(\.port), gun: Self.gun)
        watcher.start()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let result = try? racers[index].run(["publish", Self.gun])
            outcomes.add(result?.status == 0)
            if result?.status == 0 { winners.add(index) }
        }
        watcher.stop()
        #expect(outcomes.successes >= 1)
        // Every publish that did not land was refused with VERSION (a newer version won the race);
        // no server answered an error of its own.
        let logs = servers.map(\.log).joined(separator: "\n")
        let refusals = logs.split(separator: "\n").filter { $0.contains("UpdateTUF refused:") }
        #expect(refusals.count == 20 - outcomes.successes, "\(refusals.count) refusals for \(20 - outcomes.successes) failed publishes")
        #expect(refusals.allSatisfy { $0.contains("refused: VERSION") }, "\(refusals)")
        #expect(!logs.contains("UpdateTUF failed") && !logs.contains("GetRole failed"), "\(logs)")
        // Timestamp versions strictly sequential: the initial publish, then one per publish that
        // landed, each storing one targets version (the client picks that number: only its order
        // is the server's to keep).
        let store = try storage.open()
        let feed = try store.changes(gun: Self.gun, changeID: 0, records: 1000)
        #expect(feed.map(\.version) == Array(1...Int64(1 + outcomes.successes)), "timestamp versions \(feed.map(\.version))")
        let targetsVersion = try #require(try store.current(gun: Self.gun, role: "targets")).version
        let storedTargets = try (1...targetsVersion).filter { try store.version(gun: Self.gun, role: "targets", version: $0) != nil }
        #expect(storedTargets.count == 1 + outcomes.successes, "targets versions \(storedTargets) after \(outcomes.successes) publishes")
        // The reader never went back, except within the documented bound after a newer version
        // was first seen, from a server whose listener had not heard of it yet (PostgreSQL).
        let bound = backend == .postgres ? 1.0 : 0
        #expect(watcher.readings.count > 0)
        #expect(watcher.rollbacksBeyond(seconds: bound).isEmpty, "rollbacks: \(watcher.rollbacksBeyond(seconds: bound))")
        for (index, reader) in servers.enumerated().reversed() {
            // A consumer verifying through each server sees every publish that landed.
            let consumer = NotaryCLI(server: reader.baseURL, trustDir: scratch.path + "/consumer\(index)")
            let list = try consumer.run(["list", Self.gun])
            #expect(list.status == 0, "\(list.stderr)")
            let listed = Set(list.stdout.split(separator: "\n").compactMap { line -> Int? in
                guard line.hasPrefix("c") else { return nil }
                return Int(line.dropFirst().prefix { $0.isNumber })
            })
            // Every successful publish built on the state before it, so all of their targets survive.
            #expect(listed == winners.values, "listed \(listed.sorted()), successful \(winners.values.sorted())")
        }
        try checkConsistent(storage)
    }
}

extension CrashAndConcurrencyTests {
    /// Targets of `gun` after a full verified update from the store (every signature, hash and
    /// version from root to targets, trust on first use).
    func verifiedTargets(_ gun: String, _ storage: ServedStorage) throws -> Set<String> {
        let collection = try TrustUpdater(gun: gun, now: TUFTime(Date())).update(from: StoreFetcher(store: try storage.open(), gun: gun))
        return Set(collection.list().map(\.name))
    }

    /// Two servers on one database, each with its own storage directory (the server keys are in
    /// the database); publishes to two GUNs alternate between them, and one is SIGKILLed during a
    /// publish through it. The other keeps serving: the interrupted publish and later ones go
    /// through it, and every collection verifies in full from the database.
    @Test func sigkillOneOfTwoServersDuringPublishes() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = try ServedStorage(.postgres, scratch)
        let victim = try storage.startServer(own: scratch.path + "/a")
        defer { victim.kill() }
        let survivor = try storage.startServer(own: scratch.path + "/b")
        defer { survivor.stop() }
        let guns = [Self.gun, "example.com/library/other"]
        let trust = scratch.path + "/trust"
        let through = [NotaryCLI(server: victim.baseURL, trustDir: trust), NotaryCLI(server: survivor.baseURL, trustDir: trust)]
        let input = scratch.path + "/payload"
        try Data("payload".utf8).write(to: URL(fileURLWithPath: input))
        var expected = [Set<String>(), Set<String>()]
        for (index, gun) in guns.enumerated() {
            #expect(try through[index].run(["init", gun]).status == 0)
            #expect(try through[1 - index].run(["publish", gun]).status == 0)
        }
        for round in 0..<6 {
            let gun = round % 2
            #expect(try through[gun].run(["add", guns[gun], "t\(round)", input]).status == 0)
            let result = try through[round % 3 == 0 ? 1 : 0].run(["publish", guns[gun]])
            #expect(result.status == 0, "round \(round): \(result.stderr)")
            expected[gun].insert("t\(round)")
        }
        // A publish through the victim, which is killed at a random moment during it.
        #expect(try through[0].run(["add", guns[0], "interrupted", input]).status == 0)
        let publish = try through[0].start(["publish", guns[0]])
        Thread.sleep(forTimeInterval: Double.random(in: 0...0.1))
        victim.kill()
        publish.waitUntilExit()
        expected[0].insert("interrupted")
        // The survivor carries on: what was interrupted, then more publishes to both GUNs.
        let retry = try through[1].run(["publish", guns[0]])
        #expect(retry.status == 0, "\(retry.stderr)")
        for round in 6..<10 {
            let gun = round % 2
            #expect(try through[1].run(["add", guns[gun], "t\(round)", input]).status == 0)
            let result = try through[1].run(["publish", guns[gun]])
            #expect(result.status == 0, "round \(round): \(result.stderr)")
            expected[gun].insert("t\(round)")
        }
        for (index, gun) in guns.enumerated() {
            let consumer = NotaryCLI(server: survivor.baseURL, trustDir: scratch.path + "/consumer")
            let list = try consumer.run(["list", gun])
            #expect(list.status == 0, "\(list.stderr)")
            for name in expected[index] { #expect(list.stdout.contains("\(name) "), "\(gun): \(name) missing from \(list.stdout)") }
            #expect(try verifiedTargets(gun, storage) == expected[index])
        }
        #expect(survivor.stop() == 0)
    }

    /// PostgreSQL stops while clients keep reading: every answer is `200` (from memory, within the
    /// staleness bound) or `503` with Notary's envelope, never a `500` or a dropped connection; a
    /// publish meanwhile is refused with `503`; the server keeps running; once PostgreSQL is back
    /// the same process serves and publishes again, and nothing published before is lost.
    @Test func postgresStoppedUnderLoad() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let cluster = try #require(PostgresCluster.current)
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = try ServedStorage(.postgres, scratch)
        let server = try storage.startServer()
        defer { server.stop() }
        let publisher = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial"] {
            #expect(try publisher.run(try CLITranscript.load(transcript).arguments).status == 0)
        }
        let input = scratch.path + "/payload"
        try Data("payload".utf8).write(to: URL(fileURLWithPath: input))
        #expect(try publisher.run(["add", Self.gun, "before", input]).status == 0)
        #expect(try publisher.run(["publish", Self.gun]).status == 0)
        let before = try verifiedTargets(Self.gun, storage)

        let answers = AnswerLog()
        let finished = DispatchGroup()
        let targets = ["timestamp.json", "snapshot.json", "targets.json", "root.json", "1.root.json"].map { "/v2/\(Self.gun)/_trust/tuf/\($0)" }
            + ["/v2/_trust/changefeed?records=10"]
        let stopping = LockedList<Bool>()
        for worker in 0..<4 {
            finished.enter()
            Thread {
                var turn = worker
                while stopping.values.isEmpty {
                    let target = targets[turn % targets.count]
                    turn += 1
                    do { answers.add(try RawHTTP.send(port: server.port, method: "GET", target: target), target) } catch {
                        answers.failed("\(target): \(error)")
                    }
                }
                finished.leave()
            }.start()
        }
        Thread.sleep(forTimeInterval: 0.5)
        try cluster.stop()
        var restarted = false
        defer { if !restarted { try? cluster.start() } }
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try publisher.run(["add", Self.gun, "during", input]).status == 0)
        let refused = try publisher.run(["publish", Self.gun])
        #expect(refused.status != 0, "a publish succeeded with the database stopped")
        #expect(PostgresStoreTests.eventually { answers.count(status: 503) > 0 }, "no 503 while the database was down")
        try cluster.start()
        restarted = true
        #expect(PostgresStoreTests.eventually { (try? RawHTTP.send(port: server.port, method: "GET", target: targets[2]))?.status == 200 },
                "the server did not recover after the database came back")
        stopping.append(true)
        finished.wait()

        #expect(server.process.isRunning, "the server exited")
        #expect(answers.failures.isEmpty, "requests failed outright: \(answers.failures.prefix(5))")
        #expect(answers.unexpected.isEmpty, "answers other than 200 or 503 with Notary's envelope: \(answers.unexpected.prefix(5))")
        #expect(answers.count(status: 200) > 0 && answers.count(status: 503) > 0)
        // The only failures logged are the outage's (503 UNAVAILABLE), never a 500's UNKNOWN or UPDATING.
        let failures = server.log.split(separator: "\n").filter { $0.contains(" failed: ") }
        #expect(failures.allSatisfy { $0.contains("failed: UNAVAILABLE: storage unavailable") }, "\(failures.filter { !$0.contains("UNAVAILABLE") }.prefix(3))")
        // Everything published before is there, and the interrupted publish goes through now.
        #expect(try verifiedTargets(Self.gun, storage) == before)
        let retried = try publisher.run(["publish", Self.gun])
        #expect(retried.status == 0, "\(retried.stderr)")
        let consumer = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/consumer")
        let list = try consumer.run(["list", Self.gun])
        #expect(list.status == 0 && list.stdout.contains("before ") && list.stdout.contains("during "), "\(list.stdout) \(list.stderr)")
        try checkConsistent(storage)
    }
}

/// Answers of a load run: counts by status; what was neither 200 nor Notary's 503 envelope; requests
/// that got no answer at all.
final class AnswerLog: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var statuses: [Int: Int] = [:]
    private var odd: [String] = []
    private var lost: [String] = []

    func add(_ response: HTTPResponse, _ target: String) {
        lock.withLock {
            statuses[response.status, default: 0] += 1
            let envelope = response.status == 503 && response.bodyText == StorageOutageTests.unavailable
            if response.status != 200 && !envelope { odd.append("\(target): \(response.status) \(response.bodyText)") }
        }
    }

    func failed(_ description: String) { lock.withLock { lost.append(description) } }
    func count(status: Int) -> Int { lock.withLock { statuses[status] ?? 0 } }
    var unexpected: [String] { lock.withLock { odd } }
    var failures: [String] { lock.withLock { lost } }
}

/// A served storage: the directory `signet serve` keeps the file store and the server keys in
/// and, for PostgreSQL, a fresh database of the suite's cluster, given as `--storage URI` (after
/// `ServerProcess`'s `--storage DIR`: the last one wins) with the directory as the config file's
/// `storage.directory` and the password in `SIGNET_STORAGE_PASSWORD`.
struct ServedStorage {
    let directory: String
    let database: PostgresConnectionParameters?

    init(directory: String, database: PostgresConnectionParameters?) {
        self.directory = directory
        self.database = database
    }

    init(_ backend: StoreBackend, _ scratch: TemporaryDirectory) throws {
        directory = scratch.path + "/data"
        switch try backend.location(scratch) {
        case .directory: database = nil
        case .database(let parameters): database = parameters
        }
    }

    /// - Parameter own: PostgreSQL only: a storage directory of this server's own instead of the
    ///   shared one (the server keys are in the database, so replicas need none in common).
    func startServer(own: String? = nil) throws -> ServerProcess {
        guard let database else { return try ServerProcess(storage: directory) }
        let directory = own ?? self.directory
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

/// A client reading `timestamp.json` from several servers in turn (one request at a time), that
/// remembers every version it saw and when, to tell whether it was ever sent back to an older one.
final class RollbackWatcher: @unchecked Sendable {
    // @unchecked Sendable: `stopped` and `list` are guarded by `lock`.
    struct Reading {
        var sent: Date
        var received: Date
        var server: Int
        var version: Int64
    }

    let ports: [Int]
    let gun: String
    private let lock = NSLock()
    private var stopped = false
    private var list: [Reading] = []
    private let done = DispatchSemaphore(value: 0)

    init(ports: [Int], gun: String) {
        self.ports = ports
        self.gun = gun
    }

    var readings: [Reading] { lock.withLock { list } }

    func start() {
        Thread { [self] in
            var turn = 0
            while !lock.withLock({ stopped }) {
                let server = turn % ports.count
                turn += 1
                let sent = Date()
                guard let response = try? RawHTTP.send(port: ports[server], method: "GET", target: "/v2/\(gun)/_trust/tuf/timestamp.json"),
                      response.status == 200,
                      let file = try? MetadataFile.parse(response.body, role: "timestamp"),
                      let version = try? Timestamp(signed: file.signed).version else { continue }
                let reading = Reading(sent: sent, received: Date(), server: server, version: version)
                lock.withLock { list.append(reading) }
            }
            done.signal()
        }.start()
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    /// Readings older than a version seen before them, except those sent less than `seconds` after
    /// a newer version was first received.
    func rollbacksBeyond(seconds: Double) -> [String] {
        var firstSeen: [(version: Int64, at: Date)] = []  // each new highest version, when first received
        var found: [String] = []
        for reading in readings {
            if let newest = firstSeen.last, reading.version < newest.version {
                let newer = firstSeen.first { $0.version > reading.version }!
                if reading.sent.timeIntervalSince(newer.at) >= seconds {
                    found.append("v\(reading.version) from server \(reading.server) \(reading.sent.timeIntervalSince(newer.at)) s after v\(newer.version)")
                }
            } else if reading.version > (firstSeen.last?.version ?? 0) {
                firstSeen.append((reading.version, reading.received))
            }
        }
        return found
    }
}

final class WinnerBox: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var set: Set<Int> = []
    func add(_ value: Int) { lock.withLock { _ = set.insert(value) } }
    var values: Set<Int> { lock.withLock { set } }
}
