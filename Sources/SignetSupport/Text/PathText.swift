import Glibc

/// File-path string helpers that replace full Foundation's `NSString` path methods, so that Signet
/// links only `FoundationEssentials`. Paths are POSIX paths as `String`s; nothing here touches the
/// file system except reading the password database for `~`.
package enum PathText {
    /// `path` with a leading `~` or `~user` replaced by that user's home directory (from the password
    /// database, as full Foundation's `expandingTildeInPath` does; `$HOME` is not consulted) and a
    /// trailing `/` removed. Paths without a leading `~`, and `~user` for an unknown user, are
    /// returned unchanged.
    package static func expandingTilde(_ path: String) -> String {
        guard path.hasPrefix("~") else { return path }
        let slash = path.firstIndex(of: "/") ?? path.endIndex
        let user = path[path.index(after: path.startIndex)..<slash]
        guard let home = homeDirectory(user: user.isEmpty ? nil : String(user)) else { return path }
        var result = home + path[slash...]
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// `path` cleaned lexically: `~` expanded, empty and `.` components dropped (a leading `.` of a
    /// relative path is kept), `..` resolved in absolute paths only, no trailing `/`. Full
    /// Foundation's `standardizingPath` additionally resolves some symbolic links; this does not.
    package static func standardizing(_ path: String) -> String {
        let expanded = expandingTilde(path)
        guard !expanded.isEmpty else { return expanded }
        let absolute = expanded.hasPrefix("/")
        var components: [Substring] = []
        for (index, component) in expanded.split(separator: "/", omittingEmptySubsequences: true).enumerated() {
            switch component {
            case ".":
                if !absolute && index == 0 { components.append(component) }
            case "..":
                if absolute { _ = components.popLast() } else { components.append(component) }
            default:
                components.append(component)
            }
        }
        if absolute { return "/" + components.joined(separator: "/") }
        return components.isEmpty ? "." : components.joined(separator: "/")
    }

    /// The directory part of `path` (`/a/b/c` → `/a/b`, `/a` → `/`, `a/b` → `a`), ignoring
    /// trailing and repeated slashes: full Foundation's `deletingLastPathComponent`.
    package static func deletingLastComponent(_ path: String) -> String {
        var bytes = Array(path.utf8)
        let slash = UInt8(ascii: "/")
        let absolute = bytes.first == slash
        while bytes.last == slash { bytes.removeLast() }
        guard let last = bytes.lastIndex(of: slash) else { return absolute ? "/" : "" }
        bytes.removeSubrange(last...)
        while bytes.last == slash { bytes.removeLast() }
        if bytes.isEmpty && absolute { return "/" }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `directory` + `/` + `component`, without doubling a trailing `/` (full Foundation's
    /// `appendingPathComponent`); an empty `directory` gives `component`.
    package static func appending(_ component: String, to directory: String) -> String {
        if directory.isEmpty { return component }
        return directory.hasSuffix("/") ? directory + component : directory + "/" + component
    }

    private static func homeDirectory(user: String?) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let status = user.map { getpwnam_r($0, &entry, &buffer, buffer.count, &result) }
            ?? getpwuid_r(getuid(), &entry, &buffer, buffer.count, &result)
        guard status == 0, result != nil, let directory = entry.pw_dir else { return nil }
        return String(cString: directory)
    }
}
