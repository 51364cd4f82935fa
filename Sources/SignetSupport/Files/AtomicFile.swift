import FoundationEssentials
import Glibc

/// Crash-safe file writes, the one implementation every module uses (server storage, server keys,
/// the client's trust dir, changelist and key files).
///
/// A write goes to a new temporary file `.<name>.<UUID>.tmp` beside the target, which is written in
/// full, given its mode with `fchmod(2)` (so the umask does not change it), `fsync(2)`ed, renamed
/// over the target and then made durable by an `fsync(2)` of the directory. POSIX `rename(2)` is
/// atomic, so a crash leaves either the old file or the new one, never a torn one; a failure at any
/// step removes the temporary file and leaves the old file as it was. Every system call's result
/// is checked: a failure throws `FileSystemError` naming the target path, the step and `errno`.
/// Parent directories are not created here.
package enum AtomicFile {
    /// Writes `bytes` to `path` atomically with permission bits `mode` (e.g. `0o600`).
    /// - Throws: `FileSystemError` naming `path` when creating, writing, `fchmod`, `fsync`, the
    ///   rename or the directory's `fsync` fails (a missing or read-only directory, a full disk).
    package static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(FileSystemError) {
        let temporary = try writeTemporary(bytes, for: path, mode: mode, sync: true)
        try commit(temporary, to: path)
        try syncDirectory(PathText.deletingLastComponent(path), for: path)
    }

    /// Writes many new files, each atomically (temporary file, then rename), with one sync of the
    /// file system for all of them instead of an `fsync` each: staging 10,000 targets must not cost
    /// 10,000 journal commits. Every file's data is on disk before any rename, so a crash leaves
    /// each file either absent or complete. On a failure every file written is removed again, so
    /// use it only for files that did not exist before (changelist entries).
    /// - Throws: `FileSystemError` naming the file whose step failed.
    package static func writeAll(_ files: [(bytes: [UInt8], path: String)], mode: mode_t) throws(FileSystemError) {
        var temporaries: [String] = []
        var committed: [String] = []
        do {
            for (bytes, path) in files { temporaries.append(try writeTemporary(bytes, for: path, mode: mode, sync: false)) }
            if let first = files.first?.path { try syncFileSystem(containing: PathText.deletingLastComponent(first), for: first) }
            for (index, (_, path)) in files.enumerated() {
                try commit(temporaries[index], to: path)
                committed.append(path)
            }
            var synced = Set<String>()
            for (_, path) in files {
                let directory = PathText.deletingLastComponent(path)
                if synced.insert(directory).inserted { try syncDirectory(directory, for: path) }
            }
        } catch {
            for temporary in temporaries { unlink(temporary) }
            for path in committed { unlink(path) }
            throw error
        }
    }

    /// `fsync(2)` of `directory`, so that renames and creations in it are durable.
    /// - Throws: `FileSystemError` naming `path` (the file whose write needed it; `directory` when nil).
    package static func syncDirectory(_ directory: String, for path: String? = nil) throws(FileSystemError) {
        let target = path ?? directory
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(.openDirectory, path: target) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw FileSystemError(.syncDirectory, path: target) }
    }

    /// `syncfs(2)` on the file system holding `directory` (looked up at run time; Glibc's module
    /// does not export it), else `sync(2)`, which cannot fail.
    private static func syncFileSystem(containing directory: String, for path: String) throws(FileSystemError) {
        typealias SyncFS = @convention(c) (Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else {
            sync()
            return
        }
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(.openDirectory, path: path) }
        defer { close(fd) }
        guard unsafeBitCast(symbol, to: SyncFS.self)(fd) == 0 else { throw FileSystemError(.syncFileSystem, path: path) }
    }

    /// Renames `temporary` over `path`; removes `temporary` when that fails.
    private static func commit(_ temporary: String, to path: String) throws(FileSystemError) {
        guard rename(temporary, path) == 0 else {
            let error = FileSystemError(.rename, path: path)
            unlink(temporary)
            throw error
        }
    }

    /// Writes `bytes` to a new temporary file beside `path` with `mode` (`fsync`ed when `sync`);
    /// returns the temporary file's path. Removes it again on any failure.
    private static func writeTemporary(_ bytes: [UInt8], for path: String, mode: mode_t, sync: Bool) throws(FileSystemError) -> String {
        let name = path.utf8.split(separator: UInt8(ascii: "/")).last.map { String(decoding: $0, as: UTF8.self) } ?? path
        let temporary = PathText.appending(".\(name).\(UUID().uuidString).tmp", to: PathText.deletingLastComponent(path))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileSystemError(.create, path: path) }
        var failure: FileSystemError?
        var offset = 0
        while offset < bytes.count, failure == nil {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno != EINTR { failure = FileSystemError(.write, path: path) }
            } else {
                offset += written
            }
        }
        if failure == nil, fchmod(fd, mode) != 0 { failure = FileSystemError(.chmod, path: path) }
        if failure == nil, sync, fsync(fd) != 0 { failure = FileSystemError(.sync, path: path) }
        // close(2) reports write-back errors of some file systems (NFS); a failed close loses data.
        if close(fd) != 0, failure == nil { failure = FileSystemError(.close, path: path) }
        if let failure {
            unlink(temporary)
            throw failure
        }
        return temporary
    }
}
