import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// What `signet storage copy` reads from and writes to a file store (`MetadataSource`'s listing,
/// `MetadataStore.restore` / `restoreChanges`), in the layout `FileStore` documents.
extension FileStore {
    /// Every GUN whose manifest lists a version, from the manifests under `repos/` (a directory's
    /// name is the SHA-256 of its GUN, so the GUN is read from the manifest and checked against it).
    /// - Throws: `StorageError(.corrupt)` for a manifest that does not parse or sits under another
    ///   GUN's directory; `.unavailable` / `.io` when `repos/` cannot be read.
    package func collections() throws -> [String] {
        try guarded(gun: nil) {
            let entries = try FileManager.default.contentsOfDirectory(atPath: root + "/repos")
            var guns: [String] = []
            for entry in entries where !entry.hasPrefix(".") {
                let path = "\(root)/repos/\(entry)/manifest.json"
                // A directory without a manifest is a first publish that never committed.
                guard let bytes = try StorageFile.read(path) else { continue }
                let manifest: Manifest
                do { manifest = try Manifest(bytes: bytes) } catch {
                    throw StorageError(.corrupt, "\(path): \((error as? StorageError)?.reason ?? "\(error)")")
                }
                guard FileStore.gunID(manifest.gun) == entry else {
                    throw StorageError(.corrupt, gun: manifest.gun, "\(path) names a GUN whose directory is not \(entry)")
                }
                if manifest.versions.values.contains(where: { !$0.isEmpty }) { guns.append(manifest.gun) }
            }
            return guns.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
    }

    package func history(gun: String) throws -> [StoredVersion] {
        try guarded(gun: gun) {
            guard let manifest = try loadManifest(gun) else { return [] }
            var list: [StoredVersion] = []
            for (role, versions) in manifest.versions {
                for (version, entry) in versions {
                    list.append(StoredVersion(role: role, version: version, sha256: entry.sha256, created: entry.created))
                }
            }
            return list.sorted(by: StoredVersion.historyOrder)
        }
    }

    /// Writes every file's version file (temporary file, fsync, rename), then the manifest once:
    /// as with `commit`, the manifest's rename is the moment all of them become visible.
    package func restore(gun: String, files: [StoredMetadata]) throws {
        try withWriteLock(gun: gun) {
            try guarded(gun: gun) {
                let directory = try repoDirectory(gun)
                var manifest = try loadManifest(gun) ?? Manifest(gun: gun)
                var seen = Set<String>()
                for file in files {
                    try StorageNames.checkRole(file.role, gun: gun)
                    guard seen.insert("\(file.role) \(file.version)").inserted, manifest.versions[file.role]?[file.version] == nil else {
                        throw StorageError(.versionConflict, gun: gun, role: file.role, "\(file.role) version \(file.version) is already stored")
                    }
                    guard Hex.encode(Digest.sha256(file.bytes)) == file.sha256 else {
                        throw StorageError(.corrupt, gun: gun, role: file.role, "\(file.role) version \(file.version) does not match its sha256 \(file.sha256)")
                    }
                }
                try StorageFile.makeDirectory(directory + "/versions")
                for file in files {
                    let name = try FileStore.fileName(gun: gun, role: file.role, version: file.version)
                    try StorageFile.write(file.bytes, to: "\(directory)/versions/\(name)")
                    manifest.versions[file.role, default: [:]][file.version] = VersionEntry(sha256: file.sha256, created: file.created)
                    manifest.current[file.role] = max(manifest.current[file.role] ?? 0, file.version)
                }
                try StorageFile.write(try manifest.encoded(), to: directory + "/manifest.json")
            }
        }
    }

    package func restoreChanges(_ records: [ChangeRecord]) throws {
        guard !records.isEmpty else { return }
        try guarded(gun: nil) { try changefeed.restore(records) }
    }
}

extension StoredVersion {
    /// `history(gun:)`'s order: role by UTF-8 bytes, then version.
    static func historyOrder(_ a: StoredVersion, _ b: StoredVersion) -> Bool {
        if a.role != b.role { return Array(a.role.utf8).lexicographicallyPrecedes(Array(b.role.utf8)) }
        return a.version < b.version
    }
}
