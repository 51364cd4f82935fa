import Glibc

/// A failed system call while writing a file: which step, the file it was for, and `errno`.
///
/// `description` is one line for people, e.g. `cannot write /trust/tuf/x/metadata/root.json:
/// creating a temporary file failed: Permission denied`. It names the file the caller asked for
/// (not the temporary file) and never any of its contents.
package struct FileSystemError: Error, CustomStringConvertible, Equatable {
    /// The step of a write that failed.
    package enum Step: String, Sendable {
        case create = "creating a temporary file"
        case write = "writing"
        case chmod = "fchmod"
        case sync = "fsync"
        case close = "close"
        case rename = "rename"
        case openDirectory = "opening the directory"
        case syncDirectory = "fsync of the directory"
        case syncFileSystem = "syncfs"
    }

    package var step: Step
    /// The file being written.
    package var path: String
    /// `errno` of the failed call.
    package var code: Int32

    /// Captures the current `errno`.
    package init(_ step: Step, path: String, code: Int32 = errno) {
        self.step = step
        self.path = path
        self.code = code
    }

    /// The system's text for `code` (`strerror`).
    package var reason: String { String(cString: strerror(code)) }

    package var description: String { "cannot write \(path): \(step.rawValue) failed: \(reason)" }
}
