import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// The staged changes of one collection: `tuf/<GUN>/changelist/<20-digit UnixNano>_<uuid>.change`,
/// applied in file-name order (Notary `client/changelist/file_changelist.go`).
package struct Changelist: Sendable {
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    /// One staged change and its file.
    package struct Entry: Sendable {
        package var file: URL
        package var change: Change
    }

    /// Every staged change in order. Unreadable files throw `ClientError(.usage)` naming them.
    package func entries() throws -> [Entry] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return try names.filter { $0.hasSuffix(".change") }.sorted().map { name in
            let file = directory.appendingPathComponent(name)
            let bytes = try BoundedFile.read(file, maxLength: 16 << 20, what: "change \(name)")
            return Entry(file: file, change: try Change(bytes: bytes, file: name))
        }
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
    /// - Throws: `ClientError(.usage)` for a target change whose name breaks `TargetName`'s rule,
    ///   before anything is written; `ClientError(.io)` when a file cannot be written.
    package func add(_ changes: [Change]) throws {
        try Self.checkTargetNames(changes)
        let start = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
        let files = changes.enumerated().map { index, change in
            let name = (start + UInt64(index)).zeroPadded(20) + "_" + UUID().uuidString.lowercased() + ".change"
            return (bytes: change.encoded(), file: directory.appendingPathComponent(name))
        }
        try ClientFile.writeAll(files, mode: 0o600)
    }

    /// Removes the given entries (all when nil).
    package func remove(_ selected: [Entry]? = nil) throws {
        for entry in try selected ?? entries() {
            do { try FileManager.default.removeItem(at: entry.file) } catch {
                throw ClientError(.io, "cannot remove staged change \(entry.file.lastPathComponent): \(FileErrorText.describe(error))")
            }
        }
    }
}
