import FoundationEssentials
import Glibc

/// A file opened read-only with `open(2)`, closed in `deinit`: the small part of full Foundation's
/// `FileHandle` Signet needs.
package final class ReadOnlyFile {
    private let fd: Int32

    /// Opens `path`; nil when `open(2)` fails (missing file, no permission).
    package init?(path: String) {
        var opened: Int32
        repeat { opened = open(path, O_RDONLY | O_CLOEXEC) } while opened < 0 && errno == EINTR
        guard opened >= 0 else { return nil }
        fd = opened
    }

    deinit { close(fd) }

    /// Reads until `count` bytes or end of file (fewer bytes only at end of file; empty at end).
    /// - Throws: `SystemFileError` with the `errno` of a failed `read(2)` (EINTR is retried).
    package func read(upToCount count: Int) throws(SystemFileError) -> [UInt8] {
        try SystemFile.read(fd, upToCount: count)
    }
}

/// A failed system call on a file, with its `errno`.
package struct SystemFileError: Error, CustomStringConvertible {
    package var code: Int32

    /// Full Foundation's `localizedDescription` for the read error `FileHandle` threw with this
    /// `errno`, so that messages stay as they were.
    package var description: String { FileErrorText.readFailure(errno: code) }
}

/// Whole-buffer reads and writes on file descriptors (standard input and output included).
package enum SystemFile {
    /// Writes all of `bytes` to `fd`, retrying short writes and EINTR; gives up silently on any
    /// other error (as writes to a closed standard stream did through `FileHandle`).
    package static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Writes `text` as UTF-8 to standard output, unbuffered.
    package static func writeStandardOutput(_ text: String) { writeAll(Array(text.utf8), to: STDOUT_FILENO) }

    /// Writes `text` as UTF-8 to standard error, unbuffered.
    package static func writeStandardError(_ text: String) { writeAll(Array(text.utf8), to: STDERR_FILENO) }

    /// Reads from `fd` until `count` bytes or end of file.
    ///
    /// The read buffer is sized to what the file can give: a regular file's remaining size + 1 (so
    /// that one `read(2)` normally returns it all and the next one sees end of file), at least
    /// `minChunk` (files in /proc report size 0), at most `count` and `maxChunk`; `maxChunk` for
    /// pipes and other streams. The buffer is not zero-filled: only
    /// the bytes `read(2)` wrote are copied out. (A zeroed 1 MiB buffer per call cost a page fault
    /// per 4 KiB and 6% of a warm `signet list`'s CPU, reading four small metadata files.)
    /// - Throws: `SystemFileError` for a failed `read(2)` (EINTR is retried).
    package static func read(_ fd: Int32, upToCount count: Int) throws(SystemFileError) -> [UInt8] {
        let limit = Swift.max(count, 0)
        guard limit > 0 else { return [] }
        let chunkSize = Swift.min(limit, firstChunkSize(fd))
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { chunk.deallocate() }
        var bytes: [UInt8] = []
        while bytes.count < limit {
            let wanted = Swift.min(chunkSize, limit - bytes.count)
            let got = Glibc.read(fd, chunk.baseAddress!, wanted)
            if got < 0 {
                if errno == EINTR { continue }
                throw SystemFileError(code: errno)
            }
            if got == 0 { break }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<got]))
        }
        return bytes
    }

    /// Largest single `read(2)` buffer: 1 MiB.
    static let maxChunk = 1 << 20
    /// Smallest buffer for a regular file: 64 KiB.
    static let minChunk = 1 << 16

    /// A regular file's remaining size + 1, within `minChunk`...`maxChunk`; `maxChunk` for
    /// anything else or when `fstat(2)` fails.
    private static func firstChunkSize(_ fd: Int32) -> Int {
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return maxChunk }
        let position = lseek(fd, 0, SEEK_CUR)
        let remaining = Int(status.st_size) - Swift.max(Int(position), 0)
        return Swift.min(Swift.max(remaining + 1, minChunk), maxChunk)
    }
}

/// The messages full Foundation's `localizedDescription` gave for file errors, kept so that
/// Signet's error messages do not change with the move to `FoundationEssentials` (which has no
/// `localizedDescription`).
package enum FileErrorText {
    private static let prefix = "The operation could not be completed."

    /// The message for an error thrown by `FileManager` (a `CocoaError`), or `"\(error)"` for others.
    package static func describe(_ error: Error) -> String {
        if let error = error as? SystemFileError { return error.description }
        guard let error = error as? CocoaError else { return "\(error)" }
        return cocoa(code: error.code.rawValue)
    }

    /// The message for a read that failed with `errno`: the system's own text ("Is a directory").
    static func readFailure(errno code: Int32) -> String {
        String(cString: strerror(code))
    }

    private static func cocoa(code: Int) -> String {
        switch code {
        case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue:
            return "\(prefix) The file doesn’t exist."
        case CocoaError.fileReadNoPermission.rawValue, CocoaError.fileWriteNoPermission.rawValue:
            return "\(prefix) You don’t have permission."
        default:
            return "\(prefix) (NSCocoaErrorDomain error \(code).)"
        }
    }
}
