import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF

/// A Notary-layout trust directory (reference §1.3):
///
/// ```
/// <dir>/private/<canonicalKeyID>.key                 0600, directories 0700
/// <dir>/tuf/<GUN>/metadata/<role>.json               verified cache, bytes as served
/// <dir>/tuf/<GUN>/metadata/targets/releases.json     delegations nested
/// <dir>/tuf/<GUN>/changelist/<nanos>_<uuid>.change   staged changes
/// ```
///
/// GUNs and role names are validated (`TrustDirLayout.validate`, `RoleName.validate`) before they
/// become paths; `TrustDirLayout` explains why no two (GUN, role) pairs share a file.
public struct TrustDirectory: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    public var privateDirectory: URL { url.appendingPathComponent("private") }

    /// `tuf/<GUN>`. Throws `TUFError(.invalidName)` for a GUN that could escape the directory or
    /// land inside another collection's `metadata/` or `changelist/` (`TrustDirLayout`).
    public func collectionDirectory(_ gun: String) throws -> URL {
        try TrustDirLayout.validate(gun: gun)
        return url.appendingPathComponent("tuf").appendingPathComponent(gun)
    }

    public func metadataDirectory(_ gun: String) throws -> URL {
        try collectionDirectory(gun).appendingPathComponent("metadata")
    }

    public func changelistDirectory(_ gun: String) throws -> URL {
        try collectionDirectory(gun).appendingPathComponent("changelist")
    }

    /// The cached bytes of `role`, or nil.
    public func cachedMetadata(_ gun: String, role: String) throws -> [UInt8]? {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try BoundedFile.read(file, maxLength: MetadataLimits.maxFileBytes, what: "cached \(role) metadata")
    }

    /// Writes `bytes` as the cached `role` (atomically).
    public func cacheMetadata(_ gun: String, role: String, bytes: [UInt8]) throws {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        try FileStore.write(bytes, to: file, mode: 0o600)
    }

    /// Removes the cached `role`.
    public func removeCachedMetadata(_ gun: String, role: String) throws {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        try? FileManager.default.removeItem(at: file)
    }

    /// Every cached role file of `gun`, read once: role name → bytes. Files whose names are not
    /// valid role names, or that cannot be read within the size bound, are left out.
    public func cachedFiles(_ gun: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard let directory = try? metadataDirectory(gun) else { return files }
        for path in DirectoryWalk.relativePaths(under: directory, pathExtension: "json") {
            let role = String(path.dropLast(5))
            guard (try? RoleName.validate(role)) != nil,
                  let bytes = try? BoundedFile.read(directory.appendingPathComponent(path), maxLength: MetadataLimits.maxFileBytes, what: role)
            else { continue }
            files[role] = bytes
        }
        return files
    }

    /// The versions in `files` (role → bytes), for rollback protection; unparsable files are left out.
    public static func versions(of files: [String: [UInt8]]) -> [String: Int64] {
        files.compactMapValues { bytes in
            (try? MetadataFile.parse(bytes, role: "cached"))?.signed["version"]?.intValue
        }
    }

    /// Cached versions of every role present (for rollback protection).
    public func cachedVersions(_ gun: String) -> [String: Int64] {
        Self.versions(of: cachedFiles(gun))
    }

    /// Deletes the collection's `tuf/<GUN>/metadata` and `tuf/<GUN>/changelist`, then `tuf/<GUN>`
    /// when nothing else is left in it; private keys are kept, as Notary does. Unlike Notary
    /// (which removes all of `tuf/<GUN>`), the collections of GUNs below this one
    /// (`<GUN>/app`) are left alone.
    public func deleteCollection(_ gun: String) throws {
        let directory = try collectionDirectory(gun)
        for part in [try metadataDirectory(gun), try changelistDirectory(gun)] where FileManager.default.fileExists(atPath: part.path) {
            do { try FileManager.default.removeItem(at: part) } catch {
                throw ClientError(.io, "cannot delete \(part.path): \(FileErrorText.describe(error))")
            }
        }
        rmdir(directory.path)
    }
}

/// Crash-safe file writes: temporary file in the same directory, fsync, rename.
public enum FileStore {
    /// Creates `directory` and its parents with mode 0700.
    public static func makeDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClientError(.io, "cannot create directory \(directory.path): \(FileErrorText.describe(error))")
        }
    }

    /// Writes `bytes` to `file` atomically with `mode`, creating parent directories (0700).
    public static func write(_ bytes: [UInt8], to file: URL, mode: mode_t) throws {
        let temporary = try writeTemporary(bytes, for: file, mode: mode, sync: true)
        try commit(temporary, to: file)
    }

    /// Writes many files, each atomically (temporary file, then rename), with one sync of the file
    /// system for all of them instead of an fsync each: staging 10,000 targets must not cost
    /// 10,000 journal commits. Every file's data is on disk before any rename, so a crash leaves
    /// each file either absent or complete. On a failure every file written is removed again.
    public static func writeAll(_ files: [(bytes: [UInt8], file: URL)], mode: mode_t) throws {
        var temporaries: [URL] = []
        var committed: [URL] = []
        do {
            for (bytes, file) in files { temporaries.append(try writeTemporary(bytes, for: file, mode: mode, sync: false)) }
            syncFileSystem(containing: files.first?.file.deletingLastPathComponent())
            for (index, (_, file)) in files.enumerated() {
                try commit(temporaries[index], to: file)
                committed.append(file)
            }
            for directory in Set(files.map { $0.file.deletingLastPathComponent().path }) {
                let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if fd >= 0 { fsync(fd); close(fd) }
            }
        } catch {
            for temporary in temporaries { unlink(temporary.path) }
            for file in committed { unlink(file.path) }
            throw error
        }
    }

    /// `syncfs(2)` on the file system holding `directory` (looked up at run time; Glibc's module
    /// does not export it), else `sync(2)`.
    static func syncFileSystem(containing directory: URL?) {
        typealias SyncFS = @convention(c) (Int32) -> Int32
        if let directory, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") {
            let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 {
                defer { close(fd) }
                if unsafeBitCast(symbol, to: SyncFS.self)(fd) == 0 { return }
            }
        }
        sync()
    }

    /// Renames a temporary file from `writeTemporary` into place.
    static func commit(_ temporary: URL, to file: URL) throws {
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw ClientError(.io, "cannot write \(file.path): \(reason)")
        }
    }

    /// Writes `bytes` to a new temporary file beside `file` (fsynced when `sync`); returns it.
    static func writeTemporary(_ bytes: [UInt8], for file: URL, mode: mode_t, sync: Bool) throws -> URL {
        try makeDirectory(file.deletingLastPathComponent())
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ClientError(.io, "cannot write \(file.path): \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd); unlink(temporary.path)
                throw ClientError(.io, "cannot write \(file.path): \(reason)")
            }
            offset += written
        }
        fchmod(fd, mode)
        if sync { fsync(fd) }
        close(fd)
        return temporary
    }
}
