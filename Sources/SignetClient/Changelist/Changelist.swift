import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// The staged changes of one collection: `tuf/<GUN>/changelist/<20-digit UnixNano>_<uuid>.change`,
/// applied in file-name order (Notary `client/changelist/file_changelist.go`).
///
/// A bulk entry, `<20-digit UnixNano>_<uuid>.changes`, holds many changes in one file: a JSON array
/// of the same change objects, one per line (what `add --from-file` and `--oci-layout` stage when
/// they stage more than one change), so staging 10,000 tags is one file write and publishing
/// removes one file. Signet reads both kinds in file-name order. Notary 0.7's client does not read
/// bulk entries: `notary status` skips them, `notary publish` stops at them ("cannot unmarshal
/// array") and changes nothing; docs/migrating-from-notary.md says so.
package struct Changelist: Sendable {
    /// Changes per bulk entry file (about 300 bytes each, so a file stays under `maxBulkFileBytes`).
    package static let maxChangesPerBulkFile = 50_000
    /// The largest bulk entry file read (bytes).
    static let maxBulkFileBytes = 64 << 20
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    /// One staged change and its file.
    package struct Entry: Sendable {
        package var file: URL
        package var change: Change
        /// The change's position in a bulk entry file; nil for a one-change `.change` file.
        package var indexInBulk: Int?
    }

    /// Every staged change in order (files by name; a bulk file's changes in its order); none
    /// when the changelist directory does not exist.
    /// - Throws: `ClientError(.io)` naming the changelist when it exists but cannot be listed (not
    ///   a directory, not readable): never taken as "nothing staged"; what `BoundedFile.read` and
    ///   `Change` throw for a change file that cannot be read or decoded.
    package func entries() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw ClientError(.io, "cannot list the changelist \(directory.path): \(FileErrorText.describe(error))")
        }
        var entries: [Entry] = []
        for name in names.sorted() {
            let file = directory.appendingPathComponent(name)
            if name.hasSuffix(".change") {
                let bytes = try BoundedFile.read(file, maxLength: 16 << 20, what: "change \(name)")
                entries.append(Entry(file: file, change: try Change(bytes: bytes, file: name)))
            } else if name.hasSuffix(".changes") {
                let bytes = try BoundedFile.read(file, maxLength: Self.maxBulkFileBytes, what: "bulk change \(name)")
                for (index, change) in try Change.decodeBulk(bytes, file: name).enumerated() {
                    entries.append(Entry(file: file, change: change, indexInBulk: index))
                }
            }
        }
        return entries
    }

    /// The check `add` makes first, for commands that look things up before staging: every
    /// target change's name must pass `TargetName.validate`.
    /// - Throws: `ClientError(.usage)` naming the first bad name, ending "nothing staged".
    package static func checkTargetNames(_ changes: [Change]) throws {
        for change in changes where change.type == .target {
            do { try TargetName.validate(change.path) } catch let error as TUFError {
                throw ClientError(.usage, "\(error.message); nothing staged")
            }
        }
    }

    /// Writes `changes` as new files, in order, with one file-system sync for the lot. All or
    /// nothing: on a failure the ones written are removed.
    ///
    /// Every change stages through here (`add` by file, digest, `--from-file` or `--oci-layout`,
    /// `remove`), so this is where target names are checked (`TargetName.validate`).
    /// - Parameter bulk: write more than one change as bulk entries (`.changes`, up to
    ///   `maxChangesPerBulkFile` each) instead of one Notary-readable `.change` file per change.
    /// - Throws: `ClientError(.usage)` for a target change whose name breaks `TargetName`'s rule,
    ///   before anything is written; `ClientError(.io)` when a file cannot be written.
    package func add(_ changes: [Change], bulk: Bool = false) throws {
        try Self.checkTargetNames(changes)
        let start = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
        func name(_ index: Int, _ suffix: String) -> URL {
            directory.appendingPathComponent((start + UInt64(index)).zeroPadded(20) + "_" + UUID().uuidString.lowercased() + suffix)
        }
        let files: [(bytes: [UInt8], file: URL)]
        if bulk && changes.count > 1 {
            files = stride(from: 0, to: changes.count, by: Self.maxChangesPerBulkFile).enumerated().map { index, first in
                let chunk = changes[first..<min(first + Self.maxChangesPerBulkFile, changes.count)]
                return (bytes: Change.encodeBulk(chunk), file: name(index, ".changes"))
            }
        } else {
            files = changes.enumerated().map { index, change in (bytes: change.encoded(), file: name(index, ".change")) }
        }
        try ClientFile.writeAll(files, mode: 0o600)
    }

    /// Removes the given entries (all when nil). A bulk file goes when all its changes are
    /// removed; when only some are, it is rewritten atomically under the same name (so the order
    /// of what stays is kept) without them.
    /// - Throws: `ClientError(.io)` naming the file that could not be removed or rewritten.
    package func remove(_ selected: [Entry]? = nil) throws {
        let all = try entries()
        let chosen = selected ?? all
        var dropped: [String: Set<Int>] = [:]
        for entry in chosen {
            guard let index = entry.indexInBulk else {
                try Self.removeFile(entry.file)
                continue
            }
            dropped[entry.file.path, default: []].insert(index)
        }
        for (path, indices) in dropped.sorted(by: { $0.key < $1.key }) {
            let file = URL(fileURLWithPath: path)
            let kept = all.filter { $0.file.path == path && !indices.contains($0.indexInBulk ?? -1) }.map(\.change)
            if kept.isEmpty {
                try Self.removeFile(file)
            } else {
                try ClientFile.write(Change.encodeBulk(kept[...]), to: file, mode: 0o600)
            }
        }
    }

    private static func removeFile(_ file: URL) throws {
        do { try FileManager.default.removeItem(at: file) } catch {
            throw ClientError(.io, "cannot remove staged change \(file.lastPathComponent): \(FileErrorText.describe(error))")
        }
    }
}
