import FoundationEssentials
import SignetCrypto
import SignetTUF

/// Downloads verified targets into a directory (`--target-dir`), the last step of the TUF 1.0
/// workflow (TUF 1.0 §5.7): the target's length and every listed hash must match before the
/// file is written (atomically), so nothing unverified is ever left in the directory.
///
/// Caching: a target already in the directory whose bytes match the metadata is not downloaded
/// again (CLIENT-CLI.md). One file per target path (`TUF1Names.targetFileName`), so a newer
/// version of a target replaces the older one.
package struct TUF1TargetDownload {
    package let directory: URL
    package let repository: TUF1HTTPRepository

    package init(directory: URL, repository: TUF1HTTPRepository) {
        self.directory = directory
        self.repository = repository
    }

    /// What `fetch` did.
    package enum Outcome: String, Sendable {
        case downloaded
        case cached
    }

    /// Makes `match`'s target present and verified in `directory`.
    /// - Parameter consistentSnapshot: fetch `HASH.NAME` (the root's `consistent_snapshot`).
    /// - Returns: the file written or found, and whether it was downloaded.
    /// - Throws: `TUFError(.hashMismatch)` for bytes that do not match (nothing is written),
    ///   `.notFound` when the repository does not have it, `.invalidName` for a path that cannot be
    ///   a file name; `ClientError` for I/O and network failures.
    package func fetch(_ match: TUF1Updater.Match, consistentSnapshot: Bool) throws -> (file: URL, outcome: Outcome) {
        let file = directory.appendingPathComponent(try TUF1Names.targetFileName(match.path))
        let length = match.file.length
        guard length <= Int64(MetadataLimits.maxFileBytes) else {
            throw TUFError(.tooLarge, "target \(RoleName.printable(match.path)) is listed at \(length) bytes, over the limit of \(MetadataLimits.maxFileBytes)")
        }
        // Refuse an unknown hash algorithm before downloading anything.
        try LengthAndHashes.requireKnownAlgorithms(match.file.hashes, role: match.path, parent: match.role)
        if FileManager.default.fileExists(atPath: file.path),
           let cached = try? BoundedFile.read(file, maxLength: Int(length), what: "target"),
           (try? match.file.check(cached, target: match.path, role: match.role)) != nil {
            return (file, .cached)
        }
        let prefix = consistentSnapshot ? Self.hashPrefix(match.file.hashes) : nil
        guard let bytes = try repository.target(match.path, hashPrefix: prefix, maxLength: Int(length)) else {
            throw TUFError(.notFound, "target \(RoleName.printable(match.path)) (listed by \(RoleName.printable(match.role))) is not in the repository")
        }
        try match.file.check(bytes, target: match.path, role: match.role)
        try ClientFile.write(bytes, to: file, mode: 0o644)
        return (file, .downloaded)
    }

    /// The hash a consistent-snapshot target file name starts with: sha256 when listed, else
    /// sha512 (python-tuf takes the first listed; either is served).
    static func hashPrefix(_ hashes: [String: [UInt8]]) -> String? {
        (hashes["sha256"] ?? hashes["sha512"]).map(Hex.encode)
    }
}
