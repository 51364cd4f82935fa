import Foundation
import SignetCrypto
@testable import SignetServer
import SignetTUF
import Testing

/// Each `MetadataStore` backend on its own — the file store and PostgreSQL (one throwaway cluster
/// for the suite, a fresh database per test): atomic multi-role commits, version rules, locking,
/// deletion. Every test runs once per backend; what only one backend has (the file store's
/// directory layout) is checked for that backend alone.
@Suite(.postgresCluster) struct StorageTests {
    static let gun = "example.com/library/app"

    func update(_ role: String, _ version: Int64, _ text: String? = nil) -> MetadataUpdate {
        MetadataUpdate(role: role, version: version, bytes: Array((text ?? "\(role) v\(version)").utf8))
    }

    @Test(arguments: StoreBackend.allCases) func commitMakesEveryRoleCurrentAndKeepsOldVersions(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [update("root", 1), update("targets", 1), update("targets/releases", 1), update("timestamp", 1)])
            try store.commit(gun: Self.gun, updates: [update("targets", 2), update("timestamp", 2)])
        }
        #expect(try store.current(gun: Self.gun, role: "targets")?.bytes == Array("targets v2".utf8))
        #expect(try store.current(gun: Self.gun, role: "root")?.version == 1)
        #expect(try store.current(gun: Self.gun, role: "targets/releases")?.version == 1)
        #expect(try store.version(gun: Self.gun, role: "targets", version: 1)?.bytes == Array("targets v1".utf8))
        #expect(try store.version(gun: Self.gun, role: "targets", version: 3) == nil)
        let hash = Hex.encode(Digest.sha256(Array("targets v1".utf8)))
        #expect(try store.byHash(gun: Self.gun, role: "targets", sha256Hex: hash)?.version == 1)
        #expect(try store.byHash(gun: Self.gun, role: "root", sha256Hex: hash) == nil)
        #expect(try store.current(gun: "example.com/other", role: "root") == nil)
        let feed = try store.changes(gun: Self.gun, changeID: 0, records: 100)
        #expect(feed.map(\.version) == [1, 2] && feed.allSatisfy { $0.category == "update" })
    }

    @Test(arguments: StoreBackend.allCases) func versionsMustIncrease(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [update("root", 1), update("targets", 3)])
            for bad in [[update("targets", 3)], [update("targets", 2)], [update("root", 2), update("targets", 3)],
                        [update("targets", 4), update("targets", 5)]] {
                let refused = #expect(throws: StorageError.self) { try store.commit(gun: Self.gun, updates: bad) }
                #expect(refused?.kind == .versionConflict, "\(bad.map { "\($0.role) v\($0.version)" })")
            }
        }
        // A refused commit changes nothing.
        #expect(try store.current(gun: Self.gun, role: "root")?.version == 1)
        #expect(try store.current(gun: Self.gun, role: "targets")?.version == 3)
    }

    @Test(arguments: StoreBackend.allCases) func uncommittedVersionFilesAreInvisible(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("targets", 1)]) }
        switch backend {
        case .file:
            // What a crash between writing version files and renaming the manifest leaves behind.
            let versions = "\(scratch.path)/repos/\(FileStore.gunID(Self.gun))/versions"
            try Data("targets v2".utf8).write(to: URL(fileURLWithPath: "\(versions)/targets.2.json"))
        case .postgres:
            // What a publish that fails after storing leaves behind: a rolled-back transaction.
            #expect(throws: StoreBackend.Abandoned.self) {
                try store.withWriteLock(gun: Self.gun) {
                    try store.commit(gun: Self.gun, updates: [update("targets", 2)])
                    #expect(try store.current(gun: Self.gun, role: "targets")?.version == 2, "the transaction sees its own rows")
                    throw StoreBackend.Abandoned()
                }
            }
        }
        #expect(try store.current(gun: Self.gun, role: "targets")?.version == 1)
        #expect(try store.version(gun: Self.gun, role: "targets", version: 2) == nil)
        // The next publish of that version simply replaces the orphan.
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("targets", 2, "new v2")]) }
        #expect(try store.current(gun: Self.gun, role: "targets")?.bytes == Array("new v2".utf8))
    }

    @Test(arguments: StoreBackend.allCases) func concurrentWritersSerializeAcrossStoreInstances(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Two instances on one directory (flock) or one database (advisory locks) stand in for two
        // server processes, plus threads.
        let location = try backend.location(scratch)
        let stores = [try backend.open(location), try backend.open(location)]
        let results = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            let store = stores[index % 2]
            do {
                try store.withWriteLock(gun: Self.gun) {
                    let next = (try store.current(gun: Self.gun, role: "timestamp")?.version ?? 0) + 1
                    try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: next, bytes: Array("ts \(index)".utf8))])
                }
                results.add(true)
            } catch { results.add(false) }
        }
        #expect(results.successes == 20)
        #expect(try stores[0].current(gun: Self.gun, role: "timestamp")?.version == 20)
        #expect(try stores[1].changes(gun: nil, changeID: 0, records: 100).map(\.id) == Array(1...20))

        // Twenty writers of the same version: exactly one wins, the rest get VERSION.
        let racers = ResultBox()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            do {
                try stores[index % 2].withWriteLock(gun: "example.com/race") {
                    try stores[index % 2].commit(gun: "example.com/race", updates: [MetadataUpdate(role: "targets", version: 1, bytes: Array("\(index)".utf8))])
                }
                racers.add(true)
            } catch let error as StorageError where error.kind == .versionConflict { racers.add(false) } catch { Issue.record("\(error)") }
        }
        #expect(racers.successes == 1 && racers.failures == 19)
    }

    @Test(arguments: StoreBackend.allCases) func deleteRemovesTheCollection(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("root", 1), update("timestamp", 1)]) }
        try store.delete(gun: Self.gun)
        try store.delete(gun: "never/existed")
        #expect(try store.current(gun: Self.gun, role: "root") == nil)
        #expect(try store.version(gun: Self.gun, role: "timestamp", version: 1) == nil)
        if backend == .file {
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/repos").isEmpty)
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/trash").isEmpty)
        }
        let feed = try store.changes(gun: nil, changeID: 0, records: 100)
        #expect(feed.map(\.category) == ["update", "deletion"])
        // Publishing again starts over.
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("root", 1)]) }
        #expect(try store.current(gun: Self.gun, role: "root")?.version == 1)
    }

    /// The changefeed's paging rules, the same on every backend: `changeID` exclusive, records
    /// after it (records ≥ 0; none from -1) or the last ones before it (records < 0; the very last
    /// from -1), the GUN filter applied before paging.
    @Test(arguments: StoreBackend.allCases) func changefeedPaging(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        let (a, b) = ("example.com/a", "example.com/b")
        for (gun, version) in [(a, 1), (b, 1), (a, 2), (b, 2), (a, 3), (b, 3), (a, 4), (a, 5)] as [(String, Int64)] {
            try store.withWriteLock(gun: gun) { try store.commit(gun: gun, updates: [update("timestamp", version)]) }
        }
        try store.delete(gun: b)
        #expect(try store.changes(gun: nil, changeID: 0, records: 100).map(\.id) == Array(1...9))
        #expect(try store.changes(gun: nil, changeID: 3, records: 2).map(\.id) == [4, 5])
        #expect(try store.changes(gun: nil, changeID: 9, records: 10).isEmpty)
        #expect(try store.changes(gun: nil, changeID: -1, records: 5).isEmpty)
        #expect(try store.changes(gun: nil, changeID: -1, records: -2).map(\.id) == [8, 9])
        #expect(try store.changes(gun: nil, changeID: 5, records: -2).map(\.id) == [3, 4])
        #expect(try store.changes(gun: a, changeID: 0, records: 100).map(\.version) == [1, 2, 3, 4, 5])
        #expect(try store.changes(gun: a, changeID: 4, records: -2).map(\.id) == [1, 3])
        let feedB = try store.changes(gun: b, changeID: 0, records: 100)
        #expect(feedB.map(\.category) == ["update", "update", "update", "deletion"] && feedB.allSatisfy { $0.gun == b })
        #expect(feedB.last?.version == 0 && feedB.last?.sha256 == "")
        #expect(feedB.first?.sha256 == Hex.encode(Digest.sha256(Array("timestamp v1".utf8))))
    }

    @Test(arguments: StoreBackend.allCases) func invalidNamesNeverReachThePath(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        for gun in ["..", "../x", "/abs", "a/../b", "", String(repeating: "g", count: 300), "nul\u{0}x"] {
            let read = #expect(throws: StorageError.self) { _ = try store.current(gun: gun, role: "root") }
            #expect(read?.kind == .invalidName, "\(gun.debugDescription)")
            let deleted = #expect(throws: StorageError.self) { try store.delete(gun: gun) }
            #expect(deleted?.kind == .invalidName, "\(gun.debugDescription)")
        }
        for role in ["../root", "targets/../../x", "Targets", "targets/a.b"] {
            let committed = #expect(throws: StorageError.self) {
                try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update(role, 1)]) }
            }
            #expect(committed?.kind == .invalidName && committed?.role == role, "\(String(describing: committed))")
        }
        if backend == .file {
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/repos").allSatisfy { $0.count == 64 })
        }
    }
}

/// The `MetadataStore` backends the storage tests run against.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case file
    case postgres

    var testDescription: String { rawValue }

    /// Where a store's data lives: a directory, or a database of the suite's `PostgresCluster`.
    enum Location {
        case directory(String)
        case database(PostgresConnectionParameters)
    }

    /// What a test throws to abandon a write transaction.
    struct Abandoned: Error {}

    /// Fresh, empty storage: `scratch` itself, or a new database in `PostgresCluster.current`.
    func location(_ scratch: TemporaryDirectory) throws -> Location {
        switch self {
        case .file: return .directory(scratch.path)
        case .postgres:
            guard let cluster = PostgresCluster.current else {
                throw TestFailure("no PostgreSQL cluster for this suite (its start failed, see the recorded issue; Debian package postgresql)")
            }
            return .database(try cluster.makeDatabase())
        }
    }

    /// A store instance on `location`; opening twice gives two instances, as two servers would have.
    func open(_ location: Location) throws -> MetadataStore {
        switch location {
        case .directory(let path): return try FileStore(directory: path)
        case .database(let parameters): return try PostgresStore(parameters: parameters)
        }
    }
}

final class ResultBox: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var values: [Bool] = []
    func add(_ value: Bool) { lock.withLock { values.append(value) } }
    var successes: Int { lock.withLock { values.filter { $0 }.count } }
    var failures: Int { lock.withLock { values.filter { !$0 }.count } }
}
