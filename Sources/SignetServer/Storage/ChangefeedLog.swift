import FoundationEssentials
import Glibc
import SignetSupport
import SignetTUF
import Synchronization

/// The file store's changefeed (reference §2.7): `<storage>/changefeed.log`, append-only JSON
/// lines, one record per line with its ID. A new record's ID is one above the highest so far (the
/// line number, unless `restore` kept a copied changefeed's IDs, which may have gaps), counted
/// under an exclusive `flock` so that several server processes sharing the directory agree.
///
/// Reading never re-reads the whole log: an in-memory index holds each complete line's ID, offset,
/// length and GUN; every call first reads only what was appended since it last looked (a tail
/// read from the indexed offset, in chunks of at most `chunkBytes`), then the lines it returns. A
/// log that shrank or was replaced (another inode) is indexed again from the start; a last line
/// without its newline yet (a write in progress) waits for the next call; a line that does not
/// parse is skipped but keeps its line number, as before the index.
final class ChangefeedLog: Sendable {
    let path: String
    /// The index and the bytes read so far; held while appending and reading.
    private let state = Mutex(State())

    /// Bytes read per tail read (doubled for a line longer than that).
    static let chunkBytes = 1 << 20

    init(path: String) {
        self.path = path
    }

    struct Entry {
        var id: Int64
        var offset: Int64
        var length: Int
    }

    struct State {
        var index = Index()
        var scannedBytes: Int64 = 0
    }

    struct Index {
        var inode: UInt64 = 0
        /// Bytes of complete lines indexed, from the start of the log.
        var indexedBytes: Int64 = 0
        /// Complete lines, parsed or not.
        var lineCount: Int64 = 0
        /// The highest ID of a parsed line (0 for none).
        var highestID: Int64 = 0
        /// The ID a new record gets: above every line number and every recorded ID.
        var nextID: Int64 { max(lineCount, highestID) + 1 }
        var entries: [Entry] = []
        /// Positions in `entries` per GUN, keyed by the GUN's bytes (names compare as bytes).
        var positionsByGUN: [[UInt8]: [Int]] = [:]
    }

    /// Bytes of the log read by tail reads since this object was made (tests check that answering
    /// many requests reads the log once).
    var bytesScanned: Int64 { state.withLock { $0.scannedBytes } }

    /// Appends one record with the next ID.
    /// - Throws: `NotaryError(.updating)` (via `StorageFile.failure`) when the log cannot be opened,
    ///   locked, read, written or fsynced.
    func append(gun: String, version: Int64, sha256: String, category: String, at date: Date) throws {
        try appending { fd, index in
            let record = ChangeRecord(id: index.nextID, createdAt: date, gun: gun, version: version, sha256: sha256, category: category)
            try write(fd, Self.line(record))
        }
    }

    /// Appends `records` with their own IDs and times, in one write (`MetadataStore.restoreChanges`).
    /// - Throws: `StorageError(.versionConflict)` when the IDs do not increase or the first is not
    ///   above every line number and ID in the log; `NotaryError(.updating)` as for `append`.
    func restore(_ records: [ChangeRecord]) throws {
        try appending { fd, index in
            var lowest = index.nextID
            var lines: [UInt8] = []
            for record in records {
                guard record.id >= lowest else {
                    throw StorageError(.versionConflict, gun: record.gun, "change ID \(record.id) is not above \(lowest - 1), the highest the changefeed holds or was given before it")
                }
                lowest = record.id + 1
                lines += try Self.line(record)
            }
            try write(fd, lines)
        }
    }

    /// Runs `body` with the log open for appending under its exclusive `flock`, after indexing
    /// every line: under the flock no other process appends, so the index holds all of them.
    private func appending(_ body: (Int32, Index) throws -> Void) throws {
        try state.withLock { state in
            let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StorageFile.failure("opening", path) }
            defer { close(fd) }
            while flock(fd, LOCK_EX) != 0 { guard errno == EINTR else { throw StorageFile.failure("locking", path) } }
            defer { flock(fd, LOCK_UN) }
            try refresh(fd, &state)
            try body(fd, state.index)
        }
    }

    /// One record as its log line (canonical JSON and a newline).
    private static func line(_ record: ChangeRecord) throws -> [UInt8] {
        try CanonicalJSON.encode(.object([
            "id": .int(record.id), "created": .string(TUFTime(record.createdAt).text), "gun": .string(record.gun),
            "version": .int(record.version), "sha256": .string(record.sha256), "category": .string(record.category),
        ])) + [0x0A]
    }

    /// Writes `bytes` at the end of the log and fsyncs it.
    private func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw StorageFile.failure("appending to", path) }
            done += written
        }
        guard fsync(fd) == 0 else { throw StorageFile.failure("fsync", path) }
    }

    /// The records `MetadataStore.changes(gun:changeID:records:)` describes, oldest first; nil
    /// when the log does not exist yet.
    /// - Throws: `NotaryError(.updating)` when the log cannot be read.
    func records(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord]? {
        try state.withLock { state in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            if fd < 0 {
                if errno == ENOENT { return nil }
                throw StorageFile.failure("opening", path)
            }
            defer { close(fd) }
            try refresh(fd, &state)
            let index = state.index
            let chosen: [Entry]
            if let gun {
                chosen = Self.select(index.positionsByGUN[Array(gun.utf8)] ?? [], in: index, changeID: changeID, records: records)
            } else {
                chosen = Self.select(Array(index.entries.indices), in: index, changeID: changeID, records: records)
            }
            return try chosen.compactMap { entry in
                Self.parse(try Self.read(fd, path: path, at: entry.offset, count: entry.length)[...])
            }
        }
    }

    /// Paging over `positions` (indices into `entries`, in log order): with `records` ≥ 0 the
    /// first `records` after `changeID` (none for `changeID` −1); with `records` < 0 the last
    /// −`records` before `changeID` (before the end for −1).
    private static func select(_ positions: [Int], in index: Index, changeID: Int64, records: Int) -> [Entry] {
        let entries = index.entries
        if records >= 0 {
            let start = changeID < 0 ? positions.count : (positions.firstIndex(where: { entries[$0].id > changeID }) ?? positions.count)
            return positions[start...].prefix(records).map { entries[$0] }
        }
        let end = changeID < 0 ? positions.count : (positions.firstIndex(where: { entries[$0].id >= changeID }) ?? positions.count)
        return positions[..<end].suffix(Int(clamping: records.magnitude)).map { entries[$0] }
    }

    /// Indexes what was appended since the last call (see the type's comment), inside `state`'s lock.
    private func refresh(_ fd: Int32, _ state: inout State) throws {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StorageFile.failure("stat", path) }
        let size = Int64(info.st_size)
        if UInt64(info.st_ino) != state.index.inode || size < state.index.indexedBytes {
            state.index = Index()
            state.index.inode = UInt64(info.st_ino)
        }
        var chunk = Self.chunkBytes
        while state.index.indexedBytes < size {
            let remaining = size - state.index.indexedBytes
            let count = Int(min(remaining, Int64(chunk)))
            let bytes = try Self.read(fd, path: path, at: state.index.indexedBytes, count: count)
            state.scannedBytes += Int64(bytes.count)
            let consumed = Self.indexLines(bytes, at: state.index.indexedBytes, into: &state.index)
            if consumed == 0 {
                if Int64(count) == remaining { break }  // the last line is still being written
                chunk *= 2  // a line longer than the chunk
                continue
            }
            state.index.indexedBytes += Int64(consumed)
        }
    }

    /// Adds the complete lines of `bytes` (read at `offset`); returns the bytes they take.
    private static func indexLines(_ bytes: [UInt8], at offset: Int64, into index: inout Index) -> Int {
        var start = 0
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            index.lineCount += 1
            if let record = parse(bytes[start..<newline]) {
                index.positionsByGUN[Array(record.gun.utf8), default: []].append(index.entries.count)
                index.highestID = max(index.highestID, record.id)
                index.entries.append(Entry(id: record.id, offset: offset + Int64(start), length: newline - start))
            }
            start = newline + 1
        }
        return start
    }

    /// One record from its line, or nil when the line is not one.
    static func parse(_ line: ArraySlice<UInt8>) -> ChangeRecord? {
        guard let value = try? JSONParser.parse(Array(line), what: "changefeed"),
              let id = value["id"]?.intValue, let created = value["created"]?.stringValue,
              let time = try? TUFTime(rfc3339: created), let gun = value["gun"]?.stringValue,
              let version = value["version"]?.intValue, let sha = value["sha256"]?.stringValue,
              let category = value["category"]?.stringValue else { return nil }
        return ChangeRecord(id: id, createdAt: time.date, gun: gun, version: version, sha256: sha, category: category)
    }

    /// `count` bytes at `offset` (fewer at the end of the file).
    static func read(_ fd: Int32, path: String, at offset: Int64, count: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw StorageFile.failure("reading", path)
            }
            if got == 0 { break }
            done += got
        }
        out.removeLast(count - done)
        return out
    }
}
