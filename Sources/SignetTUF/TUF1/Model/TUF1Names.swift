/// How TUF 1.0 role names and target paths — names from the network — become URL paths and file
/// names (TUF 1.0 §5.5.1, §5.6.1, §5.7.3; the conformance suite's CLIENT-CLI.md). Nothing else
/// turns them into paths.
///
/// - A role's metadata file is `quoted(ROLE).json`, with a `VERSION.` prefix when fetched by
///   version, in URLs and in the metadata directory alike: every byte but RFC 3986's unreserved
///   `A-Z a-z 0-9 - . _ ~` is percent-encoded, `/` included (python-tuf's `quote(name, "")`), so
///   `../x` is the single file `..%2Fx.json`, never a path out of the directory.
/// - A target's file in the target directory is `quoted(PATH)` with a leading `.` encoded as
///   `%2E`, so no target is `.`, `..` or hidden; at most 255 bytes.
/// - A target's URL under the targets base keeps the path's `/` segments, each percent-encoded,
///   the last one prefixed with `HASH.` under consistent snapshots.
public enum TUF1Names {
    /// Longest file name Linux file systems take.
    public static let maxFileNameBytes = 255

    /// `name` with every byte outside `A-Z a-z 0-9 - . _ ~` as `%XX` (upper-case hex).
    public static func quoted(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 { append(byte, to: &out) }
        return out
    }

    private static func append(_ byte: UInt8, to out: inout String) {
        let unreserved = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
        if unreserved {
            out.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            let digits = Array("0123456789ABCDEF".unicodeScalars)
            out.unicodeScalars.append("%")
            out.unicodeScalars.append(digits[Int(byte >> 4)])
            out.unicodeScalars.append(digits[Int(byte & 0x0F)])
        }
    }

    /// `ROLE.json` or `VERSION.ROLE.json`, the role quoted.
    public static func metadataFileName(_ role: String, version: Int64? = nil) -> String {
        let base = quoted(role) + ".json"
        return version.map { "\($0).\(base)" } ?? base
    }

    /// The metadata directory's file for `role`.
    /// - Throws: `TUFError(.invalidName)` when the quoted name is over `maxFileNameBytes`.
    public static func storedMetadataFileName(_ role: String) throws -> String {
        let name = metadataFileName(role)
        guard name.utf8.count <= maxFileNameBytes else {
            throw TUFError(.invalidName, "role name \(RoleName.printable(role)) is too long to store (\(name.utf8.count) bytes as a file name, the limit is \(maxFileNameBytes))", role: role)
        }
        return name
    }

    /// The target directory's file for target `path`.
    /// - Throws: `TUFError(.invalidName)` for an empty path or one whose file name would be over
    ///   `maxFileNameBytes`.
    public static func targetFileName(_ path: String) throws -> String {
        guard !path.isEmpty else { throw TUFError(.invalidName, "the target path is empty") }
        var name = quoted(path)
        if name.hasPrefix(".") { name = "%2E" + name.dropFirst() }
        guard name.utf8.count <= maxFileNameBytes else {
            throw TUFError(.invalidName, "target path \(RoleName.printable(path)) is too long to store (\(name.utf8.count) bytes as a file name, the limit is \(maxFileNameBytes))")
        }
        return name
    }

    /// The URL path of target `path` relative to the targets base URL: its `/`-separated segments
    /// each quoted, the last prefixed with `hashPrefix.` when given (consistent snapshots).
    public static func targetURLPath(_ path: String, hashPrefix: String?) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map { quoted(String($0)) }
        if let hashPrefix, let last = segments.popLast() { segments.append("\(quoted(hashPrefix)).\(last)") }
        return segments.joined(separator: "/")
    }
}
