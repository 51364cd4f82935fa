import FoundationEssentials
import Glibc
import SignetSupport

/// The client's file writes (trust dir metadata, key files, changelist entries, `signet key`
/// output): parent directories are created with mode 0700, each file is written atomically by
/// `SignetSupport`'s `AtomicFile`, and failures become `ClientError(.io)` (exit code 3) naming the
/// file and the step that failed.
package enum ClientFile {
    /// Creates `directory` and its parents with mode 0700.
    /// - Throws: `ClientError(.io)` naming the directory.
    package static func makeDirectory(_ directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClientError(.io, "cannot create directory \(directory.path): \(FileErrorText.describe(error))")
        }
    }

    /// Writes `bytes` to `file` atomically with `mode`, creating parent directories (0700).
    /// - Throws: `ClientError(.io)` naming the file; the old file, if any, is left as it was.
    package static func write(_ bytes: [UInt8], to file: URL, mode: mode_t) throws {
        try makeDirectory(file.deletingLastPathComponent())
        do { try AtomicFile.write(bytes, to: file.path, mode: mode) } catch { throw ClientError(.io, error.description) }
    }

    /// Writes many new files, each atomically, with one sync of the file system for all of them
    /// (`AtomicFile.writeAll`), creating parent directories (0700).
    /// - Throws: `ClientError(.io)` naming the file that failed; every file written is removed again.
    package static func writeAll(_ files: [(bytes: [UInt8], file: URL)], mode: mode_t) throws {
        for directory in Set(files.map { $0.file.deletingLastPathComponent().path }) {
            try makeDirectory(URL(fileURLWithPath: directory))
        }
        do { try AtomicFile.writeAll(files.map { ($0.bytes, $0.file.path) }, mode: mode) } catch { throw ClientError(.io, error.description) }
    }
}
