import Foundation
import SignetTUF

/// The staged changes of one collection: `tuf/<GUN>/changelist/<20-digit UnixNano>_<uuid>.change`,
/// applied in file-name order (Notary `client/changelist/file_changelist.go`).
public struct Changelist: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// One staged change and its file.
    public struct Entry: Sendable {
        public var file: URL
        public var change: Change
    }

    /// Every staged change in order. Unreadable files throw `ClientError(.usage)` naming them.
    public func entries() throws -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return try names.filter { $0.hasSuffix(".change") }.sorted().map { name in
            let file = directory.appendingPathComponent(name)
            let bytes = try BoundedFile.read(file, maxLength: 16 << 20, what: "change \(name)")
            return Entry(file: file, change: try Change(bytes: bytes, file: name))
        }
    }

    /// Writes `changes` as new files, in order. All or nothing: on a failure the ones written are removed.
    /// Every file is durable before it appears under its name, as with `FileStore.write`, but the
    /// flush is shared: all temporary files are written, synced once, then renamed into place
    /// (one fsync per change made a 10,000-tag `add` take seconds).
    public func add(_ changes: [Change]) throws {
        var files: [(bytes: [UInt8], file: URL)] = []
        var seen = Set<String>()
        for change in changes {
            var name: String
            repeat {
                let nanos = UInt64(Date().timeIntervalSince1970 * 1_000_000_000) + UInt64(files.count)
                name = String(format: "%020llu", nanos) + "_" + UUID().uuidString.lowercased() + ".change"
            } while !seen.insert(name).inserted
            files.append((change.encoded(), directory.appendingPathComponent(name)))
        }
        try FileStore.writeNew(files, mode: 0o600)
    }

    /// Removes the given entries (all when nil).
    public func remove(_ selected: [Entry]? = nil) throws {
        for entry in try selected ?? entries() {
            do { try FileManager.default.removeItem(at: entry.file) } catch {
                throw ClientError(.io, "cannot remove staged change \(entry.file.lastPathComponent): \(error.localizedDescription)")
            }
        }
    }
}
