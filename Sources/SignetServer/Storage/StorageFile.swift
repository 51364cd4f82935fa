import FoundationEssentials
import Glibc
import SignetSupport

/// The storage layer's file operations, with failures as `NotaryError(.updating)` (HTTP 500,
/// Notary's `UPDATING`) whose log names the path and `errno` text. Writes go through
/// `SignetSupport`'s `AtomicFile` (temporary file, fsync, rename, fsync of the directory).
enum StorageFile {
    /// Writes `bytes` to `path` atomically with mode `mode` (`AtomicFile.write`).
    /// - Throws: `NotaryError(.updating)` naming the path, the step that failed and errno text.
    static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) throws {
        do { try AtomicFile.write(bytes, to: path, mode: mode) } catch { throw NotaryError(.updating, log: error.description) }
    }

    /// fsyncs a directory so that renames and creations in it are durable.
    static func syncDirectory(_ directory: String) throws {
        do { try AtomicFile.syncDirectory(directory) } catch { throw NotaryError(.updating, log: error.description) }
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
