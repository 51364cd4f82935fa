import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF

/// Serves metadata from a directory laid out as the server's routes name the files:
/// `root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, `targets/releases.json`, and
/// `N.root.json` for older roots (used by `signet verify --metadata-dir`, offline).
///
/// A request by hash reads `<role>.<hex>.json` when present, else `<role>.json` (the update
/// workflow checks the hash either way). Role names are validated before they become paths.
package struct DirectoryFetcher: MetadataFetcher {
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    package func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        try RoleName.validate(request.role)
        var candidates = [request.fileName]
        if case .hash = request { candidates.append("\(request.role).json") }
        for name in candidates {
            let url = directory.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            return try BoundedFile.read(url, maxLength: request.maxLength, what: "\(request.role) metadata")
        }
        return nil
    }
}

/// Reading files with a size bound, so a 100 GB file is refused instead of loaded.
package enum BoundedFile {
    /// A file the user named on the command line (a key, certificate, payload, list): like `read`,
    /// but it is the user's input, so a file that cannot be opened or is over `maxLength` bytes is
    /// bad input (DESIGN.md's CLI contract: exit 2), not an I/O failure of Signet's own storage nor
    /// metadata that failed verification.
    /// - Throws: `ClientError(.usage)` naming `what`, `path` and, when too large, the limit in bytes.
    package static func readInput(_ path: String, maxLength: Int, what: String) throws -> [UInt8] {
        do { return try read(URL(fileURLWithPath: path), maxLength: maxLength, what: what) } catch let error as ClientError where error.code == .io {
            throw ClientError(.usage, error.message)
        } catch let error as TUFError where error.code == .tooLarge {
            throw ClientError(.usage, "\(what) \(path) is larger than \(maxLength) bytes")
        }
    }

    /// Standard input's bytes, up to end of file (for `-` in place of a file name the user gives).
    /// - Throws: `ClientError(.usage)` (bad input, exit 2) past `maxLength` bytes, naming the limit;
    ///   `ClientError(.io)` when reading fails.
    package static func readStandardInput(maxLength: Int, what: String) throws -> [UInt8] {
        let bytes: [UInt8]
        do { bytes = try SystemFile.read(STDIN_FILENO, upToCount: maxLength + 1) } catch {
            throw ClientError(.io, "cannot read \(what) from standard input: \(FileErrorText.describe(error))")
        }
        guard bytes.count <= maxLength else {
            throw ClientError(.usage, "\(what) on standard input is larger than \(maxLength) bytes")
        }
        return bytes
    }

    /// The file's bytes.
    /// - Throws: `TUFError(.tooLarge)` when the file is larger than `maxLength` bytes;
    ///   `ClientError(.io)` when it cannot be read.
    package static func read(_ url: URL, maxLength: Int, what: String) throws -> [UInt8] {
        guard let handle = ReadOnlyFile(path: url.path) else {
            throw ClientError(.io, "cannot read \(what) at \(url.path)")
        }
        let data: [UInt8]
        do { data = try handle.read(upToCount: maxLength + 1) } catch {
            throw ClientError(.io, "cannot read \(what) at \(url.path): \(FileErrorText.describe(error))")
        }
        guard data.count <= maxLength else {
            throw TUFError(.tooLarge, "\(what) at \(url.path) is larger than the limit of \(maxLength) bytes")
        }
        return data
    }
}
