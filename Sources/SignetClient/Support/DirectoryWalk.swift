import FoundationEssentials
import Glibc

/// Recursive directory listing (what `FileManager.enumerator(at:)` gave in full Foundation).
enum DirectoryWalk {
    /// Paths relative to `directory` of every entry beneath it whose name ends in `.<pathExtension>`,
    /// in no particular order. Symbolic links to directories are not followed; unreadable
    /// subdirectories are skipped; a missing `directory` gives no entries.
    static func relativePaths(under directory: URL, pathExtension: String) -> [String] {
        var found: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let path = relative.isEmpty ? directory.path : directory.path + "/" + relative
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            for name in names {
                let child = relative.isEmpty ? name : relative + "/" + name
                if name.hasSuffix(".\(pathExtension)") { found.append(child) }
                var info = stat()
                if lstat(path + "/" + name, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { pending.append(child) }
            }
        }
        return found
    }
}
