/// Role names as Notary accepts them (reference §2.1, §2.9, §3.11).
///
/// Base roles are `root`, `targets`, `snapshot`, `timestamp`; delegations are
/// `targets/<seg>[/<seg>…]` where each segment matches `[-a-z0-9_]+`, the whole name path-clean and
/// under 256 characters. Names from the network are checked with this before they become paths.
public enum RoleName {
    public static let root = "root"
    public static let targets = "targets"
    public static let snapshot = "snapshot"
    public static let timestamp = "timestamp"
    public static let baseRoles: Set<String> = [root, targets, snapshot, timestamp]
    /// Docker Content Trust's canonical delegation, preferred over `targets` when looking up tags.
    public static let releases = "targets/releases"

    /// True for `targets/…` names that satisfy `validate`.
    public static func isDelegation(_ name: String) -> Bool {
        name.hasPrefix("targets/") && (try? validate(name)) != nil
    }

    /// The role that delegates to `name` (`targets/a/b` → `targets/a`); nil for base roles.
    public static func parent(of name: String) -> String? {
        guard isDelegation(name), let slash = name.lastIndex(of: "/") else { return nil }
        return String(name[..<slash])
    }

    /// Throws `TUFError(.invalidName)` unless `name` is a base role or a valid delegation name.
    public static func validate(_ name: String) throws {
        // `Set.contains` follows Unicode equivalence; a base role must also be plain ASCII bytes.
        if baseRoles.contains(name), name.utf8.allSatisfy({ $0 < 0x80 }) { return }
        guard name.utf8.count < 256 else {
            throw TUFError(.invalidName, "role name is \(name.utf8.count) bytes, the limit is 255")
        }
        guard name.hasPrefix("targets/") else {
            throw TUFError(.invalidName, "\"\(printable(name))\" is not a role: expected root, targets, snapshot, timestamp or targets/<name>")
        }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for segment in segments {
            guard !segment.isEmpty, segment.utf8.allSatisfy(isAllowed) else {
                throw TUFError(.invalidName, "delegation name \"\(printable(name))\" must be targets/ followed by segments of a-z, 0-9, '-' and '_'")
            }
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
    }

    /// `text` with control characters escaped and cut to 100 characters, for error messages.
    package static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(100) {
            out += scalar.value < 0x20 || scalar.value == 0x7F ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return text.unicodeScalars.count > 100 ? out + "…" : out
    }
}

/// Globally unique names of collections (`registry.example.com/team/app`).
///
/// Notary itself only refuses `*`; Signet also refuses what could escape a storage directory or
/// confuse a path: empty, absolute, `.`/`..` or empty segments, backslashes, NUL and other control
/// characters, and more than 255 bytes (MySQL's column size in Notary's schema).
public enum GUN {
    public static let maxLength = 255

    /// Throws `TUFError(.invalidName)` naming the problem.
    public static func validate(_ gun: String) throws {
        // Only for error messages: not built for the valid GUN of every request.
        var shown: String { RoleName.printable(gun) }
        guard !gun.isEmpty else { throw TUFError(.invalidName, "the GUN is empty") }
        guard gun.utf8.count <= maxLength else {
            throw TUFError(.invalidName, "GUN \"\(shown)\" is \(gun.utf8.count) bytes, the limit is \(maxLength)")
        }
        guard !gun.hasPrefix("/") else { throw TUFError(.invalidName, "GUN \"\(shown)\" must not start with /") }
        guard !gun.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" || $0 == "*" }) else {
            throw TUFError(.invalidName, "GUN \"\(shown)\" contains a control character, '\\' or '*'")
        }
        // Split as bytes: a Character split misses a "/" that a prepend character (U+0600) joins into
        // one grapheme cluster, and "a\u{0600}/../b" looked like one segment (GraphemeClusterAttackTests).
        for segment in gun.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            guard !segment.isEmpty, !segment.elementsEqual(".".utf8), !segment.elementsEqual("..".utf8) else {
                throw TUFError(.invalidName, "GUN \"\(shown)\" has an empty, '.' or '..' path segment")
            }
        }
    }
}
