import Foundation
import Glibc
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
/// GUNs and role names are validated (`GUN.validate`, `RoleName.validate`) before they become paths.
public struct TrustDirectory: Sendable {
    public let url: URL

    public init(url: URL) {
        self.url = url
    }

    public var privateDirectory: URL { url.appendingPathComponent("private") }

    /// `tuf/<GUN>`. Throws `TUFError(.invalidName)` for a GUN that could escape the directory.
    public func collectionDirectory(_ gun: String) throws -> URL {
        try GUN.validate(gun)
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

    /// Cached versions of every role present (for rollback protection).
    public func cachedVersions(_ gun: String) -> [String: Int64] {
        var versions: [String: Int64] = [:]
        guard let directory = try? metadataDirectory(gun),
              let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return versions }
        for case let file as URL in walker where file.pathExtension == "json" {
            let relative = String(file.path.dropFirst(directory.path.count + 1).dropLast(5))
            guard (try? RoleName.validate(relative)) != nil,
                  let bytes = try? BoundedFile.read(file, maxLength: MetadataLimits.maxFileBytes, what: relative),
                  let parsed = try? MetadataFile.parse(bytes, role: relative),
                  let version = parsed.signed["version"]?.intValue else { continue }
            versions[relative] = version
        }
        return versions
    }

    /// Deletes `tuf/<GUN>` (metadata and changelist; private keys are kept, as Notary does).
    public func deleteCollection(_ gun: String) throws {
        let directory = try collectionDirectory(gun)
        if FileManager.default.fileExists(atPath: directory.path) {
            do { try FileManager.default.removeItem(at: directory) } catch {
                throw ClientError(.io, "cannot delete \(directory.path): \(error.localizedDescription)")
            }
        }
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
            throw ClientError(.io, "cannot create directory \(directory.path): \(error.localizedDescription)")
        }
    }

    /// Writes new files (all in `files[0]`'s directory, created 0700 if needed), each atomically
    /// like `write`, with one flush for all: every temporary file is written, then the file system
    /// is synced (`syncfs`), then each is renamed into place and the directory synced. A file is
    /// never visible under its name before its bytes are on disk. All or nothing: on a failure,
    /// every temporary and already renamed file is removed.
    public static func writeNew(_ files: [(bytes: [UInt8], file: URL)], mode: mode_t) throws {
        guard let first = files.first else { return }
        let directory = first.file.deletingLastPathComponent()
        try makeDirectory(directory)
        var temporaries: [URL] = []
        var renamedCount = 0
        func fail(_ path: String, _ reason: String) -> ClientError {
            for url in temporaries[renamedCount...] { unlink(url.path) }
            for entry in files[..<renamedCount] { unlink(entry.file.path) }
            return ClientError(.io, "cannot write \(path): \(reason)")
        }
        let batch = UUID().uuidString
        for (index, entry) in files.enumerated() {
            precondition(entry.file.deletingLastPathComponent() == directory, "writeNew: one directory")
            let temporary = directory.appendingPathComponent(".\(entry.file.lastPathComponent).\(batch)-\(index).tmp")
            let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard fd >= 0 else { throw fail(entry.file.path, String(cString: strerror(errno))) }
            temporaries.append(temporary)
            var offset = 0
            while offset < entry.bytes.count {
                let written = entry.bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw fail(entry.file.path, reason)
                }
                offset += written
            }
            fchmod(fd, mode)
            close(fd)
        }
        let directoryFD = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directoryFD >= 0 else { throw fail(directory.path, String(cString: strerror(errno))) }
        defer { close(directoryFD) }
        if let syncfs = Self.syncfs {
            guard syncfs(directoryFD) == 0 else { throw fail(directory.path, String(cString: strerror(errno))) }
        } else {
            for temporary in temporaries {  // no syncfs: one fsync per file, still after all the writes
                let fd = open(temporary.path, O_RDONLY | O_CLOEXEC)
                guard fd >= 0, fsync(fd) == 0 else {
                    let reason = String(cString: strerror(errno))
                    if fd >= 0 { close(fd) }
                    throw fail(temporary.path, reason)
                }
                close(fd)
            }
        }
        for (entry, temporary) in zip(files, temporaries) {
            guard rename(temporary.path, entry.file.path) == 0 else { throw fail(entry.file.path, String(cString: strerror(errno))) }
            renamedCount += 1
        }
        fsync(directoryFD)
    }

    /// Linux `syncfs(2)` (glibc declares it only under _GNU_SOURCE, which Swift's Glibc module does not set).
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(nil, "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// Writes `bytes` to `file` atomically with `mode`, creating parent directories (0700).
    public static func write(_ bytes: [UInt8], to file: URL, mode: mode_t) throws {
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
        fsync(fd)
        close(fd)
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw ClientError(.io, "cannot write \(file.path): \(reason)")
        }
    }
}
