import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF

/// A Notary-layout trust directory (reference §1.3):
///
/// ```
/// <dir>/private/<canonicalKeyID>.key                 0600, directories 0700
/// <dir>/tuf/<GUN>/metadata/<role>.json               verified cache, bytes as served
/// <dir>/tuf/<GUN>/metadata/targets/releases.json     delegations nested
/// <dir>/tuf/<GUN>/changelist/<nanos>_<uuid>.change   staged changes
/// ```
///
/// GUNs and role names are validated (`TrustDirLayout.validate`, `RoleName.validate`) before they
/// become paths; `TrustDirLayout` explains why no two (GUN, role) pairs share a file.
package struct TrustDirectory: Sendable {
    package let url: URL

    package init(url: URL) {
        self.url = url
    }

    package var privateDirectory: URL { url.appendingPathComponent("private") }

    /// `tuf/<GUN>`. Throws `TUFError(.invalidName)` for a GUN that could escape the directory or
    /// land inside another collection's `metadata/` or `changelist/` (`TrustDirLayout`).
    package func collectionDirectory(_ gun: String) throws -> URL {
        try TrustDirLayout.validate(gun: gun)
        return url.appendingPathComponent("tuf").appendingPathComponent(gun)
    }

    package func metadataDirectory(_ gun: String) throws -> URL {
        try collectionDirectory(gun).appendingPathComponent("metadata")
    }

    package func changelistDirectory(_ gun: String) throws -> URL {
        try collectionDirectory(gun).appendingPathComponent("changelist")
    }

    /// The cached bytes of `role`, or nil.
    package func cachedMetadata(_ gun: String, role: String) throws -> [UInt8]? {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try BoundedFile.read(file, maxLength: MetadataLimits.maxFileBytes, what: "cached \(role) metadata")
    }

    /// Writes `bytes` as the cached `role` (atomically).
    package func cacheMetadata(_ gun: String, role: String, bytes: [UInt8]) throws {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        try ClientFile.write(bytes, to: file, mode: 0o600)
    }

    /// Removes the cached `role`.
    package func removeCachedMetadata(_ gun: String, role: String) throws {
        try RoleName.validate(role)
        let file = try metadataDirectory(gun).appendingPathComponent("\(role).json")
        try? FileManager.default.removeItem(at: file)
    }

    /// Every cached role file of `gun`, read once: role name → bytes. Files whose names are not
    /// valid role names, or that cannot be read within the size bound, are left out.
    package func cachedFiles(_ gun: String) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard let directory = try? metadataDirectory(gun) else { return files }
        for path in DirectoryWalk.relativePaths(under: directory, pathExtension: "json") {
            let role = String(path.dropLast(5))
            guard (try? RoleName.validate(role)) != nil,
                  let bytes = try? BoundedFile.read(directory.appendingPathComponent(path), maxLength: MetadataLimits.maxFileBytes, what: role)
            else { continue }
            files[role] = bytes
        }
        return files
    }

    /// The versions in `files` (role → bytes), for rollback protection; unparsable files are left out.
    package static func versions(of files: [String: [UInt8]]) -> [String: Int64] {
        files.compactMapValues { bytes in
            (try? MetadataFile.parse(bytes, role: "cached"))?.signed["version"]?.intValue
        }
    }

    /// Cached versions of every role present (for rollback protection).
    package func cachedVersions(_ gun: String) -> [String: Int64] {
        Self.versions(of: cachedFiles(gun))
    }

    /// Deletes the collection's `tuf/<GUN>/metadata` and `tuf/<GUN>/changelist`, then `tuf/<GUN>`
    /// when nothing else is left in it; private keys are kept, as Notary does. Unlike Notary
    /// (which removes all of `tuf/<GUN>`), the collections of GUNs below this one
    /// (`<GUN>/app`) are left alone.
    package func deleteCollection(_ gun: String) throws {
        let directory = try collectionDirectory(gun)
        for part in [try metadataDirectory(gun), try changelistDirectory(gun)] where FileManager.default.fileExists(atPath: part.path) {
            do { try FileManager.default.removeItem(at: part) } catch {
                throw ClientError(.io, "cannot delete \(part.path): \(FileErrorText.describe(error))")
            }
        }
        rmdir(directory.path)
    }
}
