import FoundationEssentials
import SignetTUF

/// The client's trusted TUF 1.0 metadata in a directory (`--metadata-dir`): one file per role,
/// `TUF1Names.storedMetadataFileName` (`root.json`, `targets.json`, `%3F.json` for a role named
/// `?`), non-versioned, bytes exactly as the repository served them (CLIENT-CLI.md; stored with
/// `ClientFile`, crash-safe, mode 0644: metadata is public).
package struct TUF1MetadataDirectory: TUF1LocalMetadata {
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    package func file(_ role: String) throws -> URL {
        directory.appendingPathComponent(try TUF1Names.storedMetadataFileName(role))
    }

    package func load(_ role: String, maxLength: Int) throws -> [UInt8]? {
        let url = try file(role)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try BoundedFile.read(url, maxLength: maxLength, what: "\(RoleName.printable(role)) metadata")
    }

    package func store(_ role: String, _ bytes: [UInt8]) throws {
        try ClientFile.write(bytes, to: try file(role), mode: 0o644)
    }
}
