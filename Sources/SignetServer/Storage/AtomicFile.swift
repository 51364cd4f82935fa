import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport

/// Crash-safe file writes: write to a temporary file in the same directory, fsync it, rename it
/// over the target, fsync the directory. A crash leaves the old file or the new one, never a torn
/// one (POSIX rename atomicity).
enum AtomicFile {
    /// Writes `bytes` to `path` atomically with mode `mode`.
    /// - Throws: `NotaryError(.updating)` naming the path and errno text.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        let directory = PathText.deletingLastComponent(path)
        let temporary = "\(directory)/.tmp-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("creating", temporary) }
        var ok = false
        defer { if !ok { unlink(temporary) } }
        do {
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { buffer in
                    Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing", temporary)
                }
                offset += written
            }
            guard fchmod(fd, mode) == 0 else { throw failure("chmod", temporary) }
            guard fsync(fd) == 0 else { throw failure("fsync", temporary) }
        }
        guard rename(temporary, path) == 0 else { throw failure("renaming into", path) }
        ok = true
        try syncDirectory(directory)
    }

    /// fsyncs a directory so that renames and creations in it are durable.
    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("opening directory", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync of directory", directory) }
    }

    /// Creates `path` and missing parents with mode 0700.
    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw NotaryError(.updating, log: "cannot create directory \(path): \(error)")
        }
    }

    /// The file's bytes, or nil when it does not exist.
    static func read(_ path: String) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure("opening", path)
        }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure("reading", path)
            }
            if count == 0 { break }
            out.append(contentsOf: chunk[0..<count])
        }
        return out
    }

    static func failure(_ action: String, _ path: String) -> NotaryError {
        NotaryError(.updating, log: "\(action) \(path) failed: \(String(cString: strerror(errno)))")
    }
}
