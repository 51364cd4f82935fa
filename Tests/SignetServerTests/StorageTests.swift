import Foundation
import SignetCrypto
@testable import SignetServer
import SignetTUF
import Testing

/// The file store on its own: atomic multi-role commits, version rules, locking, deletion.
@Suite struct StorageTests {
    static let gun = "example.com/library/app"

    func update(_ role: String, _ version: Int64, _ text: String? = nil) -> MetadataUpdate {
        MetadataUpdate(role: role, version: version, bytes: Array((text ?? "\(role) v\(version)").utf8))
    }

    @Test func commitMakesEveryRoleCurrentAndKeepsOldVersions() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
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

    @Test func versionsMustIncrease() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [update("root", 1), update("targets", 3)])
            for bad in [[update("targets", 3)], [update("targets", 2)], [update("root", 2), update("targets", 3)],
                        [update("targets", 4), update("targets", 5)]] {
                #expect(throws: StorageError.self) { try store.commit(gun: Self.gun, updates: bad) }
                do { try store.commit(gun: Self.gun, updates: bad) } catch let error as StorageError { #expect(error.kind == .versionConflict) }
            }
        }
        // A refused commit changes nothing.
        #expect(try store.current(gun: Self.gun, role: "root")?.version == 1)
        #expect(try store.current(gun: Self.gun, role: "targets")?.version == 3)
    }

    @Test func uncommittedVersionFilesAreInvisible() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("targets", 1)]) }
        // What a crash between writing version files and renaming the manifest leaves behind.
        let versions = "\(scratch.path)/repos/\(FileStore.gunID(Self.gun))/versions"
        try Data("targets v2".utf8).write(to: URL(fileURLWithPath: "\(versions)/targets.2.json"))
        #expect(try store.current(gun: Self.gun, role: "targets")?.version == 1)
        #expect(try store.version(gun: Self.gun, role: "targets", version: 2) == nil)
        // The next publish of that version simply replaces the orphan.
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("targets", 2, "new v2")]) }
        #expect(try store.current(gun: Self.gun, role: "targets")?.bytes == Array("new v2".utf8))
    }

    @Test func concurrentWritersSerializeAcrossStoreInstances() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        // Two instances on one directory stand in for two server processes (flock), plus threads.
        let stores = [try FileStore(directory: scratch.path), try FileStore(directory: scratch.path)]
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

    @Test func deleteRemovesTheCollection() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("root", 1), update("timestamp", 1)]) }
        try store.delete(gun: Self.gun)
        try store.delete(gun: "never/existed")
        #expect(try store.current(gun: Self.gun, role: "root") == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/repos").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/trash").isEmpty)
        let feed = try store.changes(gun: nil, changeID: 0, records: 100)
        #expect(feed.map(\.category) == ["update", "deletion"])
        // Publishing again starts over.
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update("root", 1)]) }
        #expect(try store.current(gun: Self.gun, role: "root")?.version == 1)
    }

    @Test func invalidNamesNeverReachThePath() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        for gun in ["..", "../x", "/abs", "a/../b", "", String(repeating: "g", count: 300), "nul\u{0}x"] {
            #expect(throws: StorageError.self) { _ = try store.current(gun: gun, role: "root") }
            #expect(throws: StorageError.self) { try store.delete(gun: gun) }
        }
        for role in ["../root", "targets/../../x", "Targets", "targets/a.b"] {
            #expect(throws: StorageError.self) {
                try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [update(role, 1)]) }
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path + "/repos").allSatisfy { $0.count == 64 })
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
