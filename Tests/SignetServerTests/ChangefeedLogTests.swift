import Foundation
@testable import SignetServer
import SignetTUF
import Testing

/// The changefeed's index (`Storage/ChangefeedLog.swift`): the same records as reading the whole
/// log for every request, which is what the store did before it kept an index.
@Suite struct ChangefeedLogTests {
    static let guns = ["example.com/a", "example.com/b", "example.com/c"]

    /// The answer read from the whole log, as `FileStore.changes` computed it before the index:
    /// every line parsed, filtered by GUN bytes, then paged.
    static func reference(log: String, gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))
        var all: [ChangeRecord] = []
        for line in bytes.split(separator: 0x0A) {
            guard let record = ChangefeedLog.parse(line) else { continue }
            if let gun, !ExactName.equal(record.gun, gun) { continue }
            all.append(record)
        }
        if records >= 0 {
            let start = changeID < 0 ? all.count : (all.firstIndex(where: { $0.id > changeID }) ?? all.count)
            return Array(all[start...].prefix(records))
        }
        let end = changeID < 0 ? all.count : (all.firstIndex(where: { $0.id >= changeID }) ?? all.count)
        return Array(all[..<end].suffix(-records))
    }

    /// Commits `count` timestamp versions spread over `guns`, with a deletion in the middle.
    static func fill(_ store: FileStore, count: Int, from first: Int = 0) throws {
        for step in first..<(first + count) {
            let gun = guns[step % guns.count]
            if step == 7 { try store.delete(gun: gun); continue }
            try store.withWriteLock(gun: gun) {
                let next = (try store.current(gun: gun, role: "timestamp")?.version ?? 0) + 1
                try store.commit(gun: gun, updates: [MetadataUpdate(role: "timestamp", version: next, bytes: Array("ts \(step)".utf8))])
            }
        }
    }

    static func compareEverything(_ store: FileStore, log: String) throws {
        for gun in [nil, guns[0], guns[1], "example.com/none", "EXAMPLE.com/a"] as [String?] {
            for changeID: Int64 in [-1, 0, 1, 2, 7, 8, 15, 29, 30, 31, 100] {
                for records in [-10_000, -100, -3, -1, 0, 1, 2, 5, 100, 10_000] {
                    let indexed = try store.changes(gun: gun, changeID: changeID, records: records)
                    let whole = try reference(log: log, gun: gun, changeID: changeID, records: records)
                    #expect(indexed == whole, "gun \(gun ?? "nil") change_id \(changeID) records \(records)")
                }
            }
        }
    }

    @Test func sameRecordsAsReadingTheWholeLog() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        let log = scratch.path + "/changefeed.log"
        try Self.fill(store, count: 20)
        try Self.compareEverything(store, log: log)
        // Another store on the same directory (another server process) appends; both see it.
        let other = try FileStore(directory: scratch.path)
        try Self.fill(other, count: 10, from: 20)
        try Self.compareEverything(store, log: log)
        try Self.compareEverything(other, log: log)
        #expect(try store.changes(gun: nil, changeID: 0, records: 100).map(\.id) == Array(1...30))
        #expect(try store.changes(gun: nil, changeID: -1, records: -1).map(\.id) == [30])
    }

    /// Answering many requests reads the log once: each later request reads only what was
    /// appended since.
    @Test func theLogIsReadOnceNotPerRequest() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        try Self.fill(store, count: 30)
        let size = try Int64(FileManager.default.attributesOfItem(atPath: scratch.path + "/changefeed.log")[.size] as! Int)
        for _ in 0..<50 { _ = try store.changes(gun: Self.guns[0], changeID: 0, records: 100) }
        #expect(store.changefeed.bytesScanned == size)
        try Self.fill(store, count: 1, from: 30)
        _ = try store.changes(gun: nil, changeID: -1, records: -1)
        let grown = try Int64(FileManager.default.attributesOfItem(atPath: scratch.path + "/changefeed.log")[.size] as! Int)
        #expect(store.changefeed.bytesScanned == grown)
    }

    /// A line still being written (no newline yet) and a line that does not parse: the first is
    /// not served until complete, the second is skipped but keeps its line number.
    @Test func partialAndMalformedLines() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        let log = scratch.path + "/changefeed.log"
        try Self.fill(store, count: 3)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n".utf8))
        handle.write(Data(#"{"category":"update","created":"2026-01-01T00:00:00Z","gun":"example.com/a","id":5,"sha256":"","#.utf8))
        #expect(try store.changes(gun: nil, changeID: 0, records: 100).map(\.id) == [1, 2, 3])
        handle.write(Data(#""version":9}"#.utf8) + Data("\n".utf8))
        try handle.close()
        #expect(try store.changes(gun: nil, changeID: 0, records: 100).map(\.id) == [1, 2, 3, 5])
        try Self.compareEverything(store, log: log)
        // The next record's ID counts the malformed line too.
        try Self.fill(store, count: 1, from: 3)
        #expect(try store.changes(gun: nil, changeID: -1, records: -1).map(\.id) == [6])
    }
}
