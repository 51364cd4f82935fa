import Foundation
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// What only the PostgreSQL store has: two stores on one database as two servers, the database
/// going away and coming back, the schema's migration numbers, the password, binary `bytea`.
/// Serialized: one test stops the suite's cluster.
@Suite(.serialized, .postgresCluster) struct PostgresStoreTests {
    static let gun = "example.com/library/app"

    func database() throws -> PostgresConnectionParameters {
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        return try cluster.makeDatabase()
    }

    /// Twenty publishes race from two store instances, each picking its version before it takes
    /// the lock (as a client that read the old state would): every publish is stored whole or
    /// refused with VERSION, and the stored versions run 1, 2, 3, … with no gap or repeat.
    @Test func twoServersTwentyConcurrentPublishes() throws {
        let parameters = try database()
        let stores = [try PostgresStore(parameters: parameters), try PostgresStore(parameters: parameters)]
        let outcomes = LockedList<(index: Int, version: Int64?)>()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let store = stores[index % 2]
            do {
                let version = (try store.current(gun: Self.gun, role: "timestamp")?.version ?? 0) + 1
                try store.withWriteLock(gun: Self.gun) {
                    try store.commit(gun: Self.gun, updates: ["targets", "snapshot", "timestamp"].map {
                        MetadataUpdate(role: $0, version: version, bytes: Array("\($0) by \(index)".utf8))
                    })
                }
                outcomes.append((index, version))
            } catch let error as StorageError where error.kind == .versionConflict {
                outcomes.append((index, nil))
            } catch { Issue.record("publish \(index): \(error)") }
        }
        let all = outcomes.values
        #expect(all.count == 20)
        let winners = all.filter { $0.version != nil }
        #expect(!winners.isEmpty)
        #expect(winners.map { $0.version! }.sorted() == Array(1...Int64(winners.count)), "versions strictly sequential")
        let current = try #require(try stores[1].current(gun: Self.gun, role: "timestamp"))
        #expect(current.version == Int64(winners.count))
        for winner in winners {
            // Whole: all three roles of that version come from the same publish.
            for role in ["targets", "snapshot", "timestamp"] {
                let stored = try #require(try stores[0].version(gun: Self.gun, role: role, version: winner.version!))
                #expect(stored.bytes == Array("\(role) by \(winner.index)".utf8))
            }
        }
        let feed = try stores[0].changes(gun: Self.gun, changeID: 0, records: 100)
        #expect(feed.map(\.version) == Array(1...Int64(winners.count)))
        #expect(feed.map(\.id) == feed.map(\.id).sorted() && Set(feed.map(\.id)).count == feed.count)
    }

    /// While one store instance holds a GUN's write lock, another instance (another server) cannot
    /// take it for that GUN, but can for a different GUN.
    @Test func oneWriterPerGUNAcrossStores() throws {
        let parameters = try database()
        let holder = try PostgresStore(parameters: parameters)
        let other = try PostgresStore(parameters: parameters)
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let otherEntered = LockedList<String>()
        let holding = Thread {
            try? holder.withWriteLock(gun: Self.gun) {
                entered.signal()
                release.wait()
            }
        }
        holding.start()
        entered.wait()
        let waiter = Thread {
            try? other.withWriteLock(gun: Self.gun) { otherEntered.append(Self.gun) }
            entered.signal()
        }
        waiter.start()
        try other.withWriteLock(gun: "example.com/another") { otherEntered.append("another") }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(otherEntered.values == ["another"], "the second store entered \(Self.gun) while the first held it")
        release.signal()
        entered.wait()
        #expect(otherEntered.values == ["another", Self.gun])
    }

    /// The database stops while the store is in use: every call throws the storage-unavailable
    /// error (no crash, no hang); once it is back, the same store instance works again.
    @Test func databaseOutageThrowsUnavailableAndRecovers() throws {
        let cluster = try #require(PostgresCluster.current)
        let store = try PostgresStore(parameters: try cluster.makeDatabase())
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 1, bytes: Array("ts 1".utf8))])
        }
        try cluster.stop()
        var restarted = false
        defer { if !restarted { try? cluster.start() } }
        let calls: [(String, () throws -> Void)] = [
            ("current", { _ = try store.current(gun: Self.gun, role: "timestamp") }),
            ("version", { _ = try store.version(gun: Self.gun, role: "timestamp", version: 1) }),
            ("byHash", { _ = try store.byHash(gun: Self.gun, role: "timestamp", sha256Hex: String(repeating: "0", count: 64)) }),
            ("commit", { try store.withWriteLock(gun: Self.gun) {
                try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 2, bytes: Array("ts 2".utf8))])
            } }),
            ("delete", { try store.delete(gun: Self.gun) }),
            ("changes", { _ = try store.changes(gun: nil, changeID: 0, records: 10) }),
        ]
        for (name, call) in calls {
            do {
                try call()
                Issue.record("\(name) succeeded with the database stopped")
            } catch let error as StorageError {
                #expect(error.kind == .unavailable, "\(name): \(error)")
                #expect(!"\(error)".contains(cluster.password), "\(name) leaks the password")
            }
        }
        try cluster.start()
        restarted = true
        // The pool waits out its backoff (at most 2 s) before connecting again.
        var recovered: StoredMetadata?
        for _ in 0..<100 {
            if let stored = try? store.current(gun: Self.gun, role: "timestamp") { recovered = stored; break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(recovered?.bytes == Array("ts 1".utf8))
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 2, bytes: Array("ts 2".utf8))])
        }
        #expect(try store.current(gun: Self.gun, role: "timestamp")?.version == 2)
    }

    /// Over HTTP: with the database down every route that needs it answers `503` with Notary's
    /// envelope (`UNAVAILABLE`), never `500` or a `404`; after the restart the same server serves
    /// the collection again.
    @Test func databaseOutageOverHTTPIs503() throws {
        let cluster = try #require(PostgresCluster.current)
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try PostgresStore(parameters: try cluster.makeDatabase())
        let server = try InProcessServer(storage: scratch.path, assemble: { settings, logger in
            TrustServer(settings: settings, store: store,
                        keys: try FileKeyStore.open(storageDirectory: scratch.path, settings: settings, logger: logger), logger: logger)
        })
        defer { server.stop() }
        let targetsBytes = Array(#"{"signed":{"_type":"Targets"},"signatures":[]}"#.utf8)
        try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 1, bytes: targetsBytes)])
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json").body == targetsBytes)
        try cluster.stop()
        var restarted = false
        defer { if !restarted { try? cluster.start() } }
        for (method, target) in [("GET", "/v2/\(Self.gun)/_trust/tuf/targets.json"), ("GET", "/v2/\(Self.gun)/_trust/tuf/1.targets.json"),
                                 ("GET", "/v2/_trust/changefeed?records=10"), ("DELETE", "/v2/\(Self.gun)/_trust/tuf/")] {
            let response = try RawHTTP.send(port: server.port, method: method, target: target)
            #expect(response.status == 503, "\(method) \(target): \(response.status) \(response.bodyText)")
            #expect(response.bodyText == StorageOutageTests.unavailable, "\(method) \(target)")
        }
        try cluster.start()
        restarted = true
        var back: HTTPResponse?
        for _ in 0..<100 {
            back = try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json")
            if back?.status == 200 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(back?.status == 200 && back?.body == targetsBytes)
    }

    /// The database restarts between two requests: the pool's idle connections are dead, and the
    /// next read and the next publish replace them instead of failing.
    @Test func restartBetweenCallsIsInvisible() throws {
        let cluster = try #require(PostgresCluster.current)
        let store = try PostgresStore(parameters: try cluster.makeDatabase())
        try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 1, bytes: Array("ts 1".utf8))])
        #expect(try store.current(gun: Self.gun, role: "timestamp")?.version == 1)
        try cluster.stop()
        try cluster.start()
        #expect(try store.current(gun: Self.gun, role: "timestamp")?.version == 1)
        try cluster.stop()
        try cluster.start()
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 2, bytes: Array("ts 2".utf8))])
        }
        #expect(try store.current(gun: Self.gun, role: "timestamp")?.version == 2)
    }

    /// Opening runs the migrations once; a database migrated by a newer Signet is refused, naming
    /// both numbers, and left as it was.
    @Test func migrationsApplyOnceAndANewerSchemaIsRefused() throws {
        let parameters = try database()
        _ = try PostgresStore(parameters: parameters)
        _ = try PostgresStore(parameters: parameters)
        let admin = try PostgresConnection(parameters)
        let applied = try admin.execute(PostgresSchema.highestApplied)
        #expect(try applied.optionalInt64(0, 0) == Int64(PostgresSchema.migrations.count))
        _ = try admin.execute(PostgresSchema.record, [.int64(Int64(PostgresSchema.migrations.count + 1))])
        do {
            _ = try PostgresStore(parameters: parameters)
            Issue.record("a newer schema was accepted")
        } catch let error as StorageError {
            #expect(error.reason.contains("migration \(PostgresSchema.migrations.count + 1)"), "\(error)")
            #expect(error.reason.contains("newer than the \(PostgresSchema.migrations.count)"), "\(error)")
        }
    }

    /// A wrong password is refused without the password (or the URI) in the error; the right one
    /// given apart from the URI logs in.
    @Test func passwordsNeverReachErrors() throws {
        let cluster = try #require(PostgresCluster.current)
        let parameters = try cluster.makeDatabase()
        let wrong = "wrong-" + UUID().uuidString
        do {
            _ = try PostgresStore(parameters: PostgresConnectionParameters(url: parameters.url, password: wrong))
            Issue.record("a wrong password logged in")
        } catch let error as StorageError {
            #expect(error.kind == .loginRefused && error.reason.contains("password authentication failed"), "\(error)")
            #expect(!"\(error)".contains(wrong) && !"\(error)".contains(cluster.password))
        }
        #expect(!"\(parameters)".contains(cluster.password) && !"\(parameters)".contains(cluster.directory))
        _ = try PostgresStore(parameters: parameters)
    }

    /// Polls `condition` until it holds (true) or `seconds` pass (false); a condition that throws
    /// does not hold yet. For what another server's listener learns asynchronously: the limit
    /// only bounds a failing test.
    static func eventually(_ seconds: Double = 30, _ condition: () throws -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return (try? condition()) == true
    }

    /// A store's revision moves at once with its own commit (so a server never serves its own
    /// publish stale), and with another store's commit when its listener hears the notification;
    /// another GUN's commit leaves it alone.
    @Test func revisionFollowsCommitsOfEveryServer() throws {
        let parameters = try database()
        let first = try PostgresStore(parameters: parameters), second = try PostgresStore(parameters: parameters)
        #expect(Self.eventually { try first.revision(gun: Self.gun) != nil && second.revision(gun: Self.gun) != nil },
                "the listeners never vouched for a revision")
        let before = (try first.revision(gun: Self.gun), try second.revision(gun: Self.gun))
        try first.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 1, bytes: Array("ts 1".utf8))])
        #expect(try first.revision(gun: Self.gun) != before.0, "the committing store's revision did not move with its commit")
        #expect(Self.eventually { try second.revision(gun: Self.gun).map { $0 != before.1 } ?? false }, "the other store never saw the commit")
        let other = try second.revision(gun: "example.com/another")
        try first.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 2, bytes: Array("ts 2".utf8))])
        try first.delete(gun: Self.gun)
        #expect(Self.eventually { try second.revision(gun: Self.gun).map { $0 != before.1 } ?? false })
        #expect(try second.revision(gun: "example.com/another") == other)
        // With no staleness allowed, nothing is ever answered from memory.
        #expect(try PostgresStore(parameters: parameters, maxStaleness: .zero).revision(gun: Self.gun) == nil)
    }

    /// While the database is down no revision is vouched for (every GET reads the database, and
    /// so answers 503); after it returns the revision is a new one, since notifications sent
    /// meanwhile were lost.
    @Test func noRevisionWhileTheListenerIsDisconnected() throws {
        let cluster = try #require(PostgresCluster.current)
        let store = try PostgresStore(parameters: try cluster.makeDatabase())
        #expect(Self.eventually { try store.revision(gun: Self.gun) != nil })
        let before = try store.revision(gun: Self.gun)
        try cluster.stop()
        var restarted = false
        defer { if !restarted { try? cluster.start() } }
        #expect(Self.eventually { try store.revision(gun: Self.gun) == nil }, "a revision was vouched for with the database down")
        try cluster.start()
        restarted = true
        #expect(Self.eventually { try store.revision(gun: Self.gun) != nil }, "the listener did not reconnect")
        #expect(try store.revision(gun: Self.gun) != before)
    }

    /// Two servers on one database (metadata and server keys): both hand out the same timestamp
    /// key; a GET through B is answered from B's memory; after a publish through A, B's GETs return
    /// the new bytes (within `PostgresChangeListener`'s bound) and never the old ones again.
    @Test func cacheOfOneServerSeesPublishThroughAnother() throws {
        let parameters = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        func server(_ name: String) throws -> InProcessServer {
            let store = try PostgresStore(parameters: parameters)
            return try InProcessServer(storage: scratch.path + "/" + name, assemble: { settings, logger in
                let sealing = ServerKeySealing(algorithm: settings.keyAlgorithm, passphrase: settings.keyPassphrase ?? "", kdf: settings.keyDerivation)
                return TrustServer(settings: settings, store: store, keys: try PostgresKeyStore(store: store, sealing: sealing), logger: logger)
            })
        }
        let a = try server("a"), b = try server("b")
        defer { a.stop(); b.stop() }
        let helper = PublishValidationTests(), publisher = CurrentMetadataCacheTests()
        let timestampKey = try helper.timestampKey(a)
        #expect(try helper.timestampKey(b) == timestampKey, "the servers hand out different timestamp keys")
        let repo = try PublishValidationTests.Repo(timestampKey: timestampKey)
        let first = try publisher.publishCollection(a, repo)
        let gun = CurrentMetadataCacheTests.gun
        let path = "/v2/\(gun)/_trust/tuf/targets.json"
        let request = HTTPRequest(method: "GET", target: path, path: path, remoteAddress: "test")
        #expect(Self.eventually { try b.get(path).body == first.targets && b.trust.cachedResponse(request) != nil },
                "B never answered from memory")
        #expect(b.trust.cachedResponse(request)?.body == first.targets)
        let second = try publisher.publishCollection(a, repo, version: 2, published: first.root)
        var answers: [[UInt8]] = []
        #expect(Self.eventually {
            answers.append(try b.get(path).body)
            return answers.last == second.targets
        }, "B kept answering the targets before the publish through A")
        for _ in 0..<20 {
            #expect(try b.get(path).body == second.targets, "B went back to the old targets")
            #expect(b.trust.cachedResponse(request).map { $0.body == second.targets } ?? true)
        }
        // The timestamp B serves is signed by the key both servers hand out.
        let timestamp = try MetadataFile.parse(try b.get("/v2/\(gun)/_trust/tuf/timestamp.json").body, role: "timestamp")
        #expect(timestamp.signatures.map(\.keyID) == [timestampKey.id])
    }

    /// Bytes go in and out in binary: every byte value, NUL included, comes back unchanged, and a
    /// hash given in upper case finds the same version.
    @Test func bytesRoundTripExactly() throws {
        let store = try PostgresStore(parameters: try database())
        let bytes = (0..<1024).map { UInt8($0 % 256) }
        try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 1, bytes: bytes)])
        let stored = try #require(try store.current(gun: Self.gun, role: "targets"))
        #expect(stored.bytes == bytes)
        #expect(stored.sha256 == Hex.encode(Digest.sha256(bytes)))
        #expect(abs(stored.created.timeIntervalSinceNow) < 300)
        #expect(try store.byHash(gun: Self.gun, role: "targets", sha256Hex: stored.sha256.uppercased())?.version == 1)
    }
}

/// A list appended to from several threads.
final class LockedList<Element>: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var list: [Element] = []
    func append(_ element: Element) { lock.withLock { list.append(element) } }
    var values: [Element] { lock.withLock { list } }
}
