import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF
import Synchronization

/// The embedded metadata store: plain files under one directory (DESIGN.md, Storage).
///
/// Layout under `root`:
/// ```
/// repos/<sha256 hex of GUN>/manifest.json      current version of each role + every committed
///                                              version's sha256 and creation time
/// repos/<…>/versions/<role with / as .>.<N>.json   every version of every role, immutable
/// locks/<sha256 hex of GUN>.lock               flock target (never removed)
/// changefeed.log                               append-only JSON lines
/// trash/                                       deleted GUNs on their way out
/// ```
/// A publish writes all its version files first (each temp + fsync + rename), then replaces the
/// small manifest atomically: readers trust only the manifest, so a crash leaves the old or the
/// new state. GUNs become directory names only through their SHA-256, never raw.
///
/// Every failure is a `StorageError`: `.unavailable` when the directory itself cannot be reached
/// (removed, unmounted: `outage`), `.io` for other file-system failures, `.corrupt` for files
/// that do not read back as written.
package final class FileStore: MetadataStore, Sendable {
    package let root: String
    private let locks: GUNLocks
    /// `changefeed.log` and its index (`ChangefeedLog.swift`).
    let changefeed: ChangefeedLog
    private let cache = Mutex(CacheState())
    /// `<root>/repos/<gun ID>/manifest.json` by GUN, for `revision(gun:)` (at most 10,000, then it
    /// starts over).
    private let manifestPaths = Mutex<[String: String]>([:])

    /// Opens (creating if needed, mode 0700) a store rooted at `directory`.
    package init(directory: String) throws {
        root = PathText.standardizing(directory)
        for sub in ["", "/repos", "/locks", "/trash"] { try StorageFile.makeDirectory(root + sub) }
        locks = GUNLocks(directory: root + "/locks")
        changefeed = ChangefeedLog(path: root + "/changefeed.log")
        // Finish deletions a crash interrupted.
        if let leftovers = try? FileManager.default.contentsOfDirectory(atPath: root + "/trash") {
            for entry in leftovers { try? FileManager.default.removeItem(atPath: root + "/trash/" + entry) }
        }
    }

    // MARK: Paths

    static func gunID(_ gun: String) -> String { Hex.encode(Digest.sha256(Array(gun.utf8))) }

    func repoDirectory(_ gun: String) throws -> String {
        try StorageNames.checkGUN(gun)
        return "\(root)/repos/\(FileStore.gunID(gun))"
    }

    static func fileName(gun: String, role: String, version: Int64) throws -> String {
        try StorageNames.checkRole(role, gun: gun)
        // Validated role names hold only [-a-z0-9_/]; "." never occurs in them, so "/" → "." is
        // reversible and the result is a single path component.
        return role.replacingLiterally("/", with: ".") + ".\(version).json"
    }

    // MARK: Manifest

    struct VersionEntry {
        var sha256: String
        var created: Date
    }

    struct Manifest {
        var gun: String
        var current: [String: Int64] = [:]
        var versions: [String: [Int64: VersionEntry]] = [:]

        func encoded() throws -> [UInt8] {
            var roles: [String: JSONValue] = [:]
            for (role, list) in versions {
                var entries: [String: JSONValue] = [:]
                for (version, entry) in list {
                    entries[String(version)] = .object([
                        "sha256": .string(entry.sha256),
                        "created": .int(Int64((entry.created.timeIntervalSince1970 * 1000).rounded())),
                    ])
                }
                roles[role] = .object(["current": .int(current[role] ?? 0), "versions": .object(entries)])
            }
            return try CanonicalJSON.encode(.object(["gun": .string(gun), "roles": .object(roles)]))
        }

        init(gun: String) { self.gun = gun }

        init(bytes: [UInt8]) throws {
            let value = try JSONParser.parse(bytes, what: "manifest")
            guard let gun = value["gun"]?.stringValue, let roles = value["roles"]?.objectValue else {
                throw StorageError(.corrupt, "manifest is malformed")
            }
            self.gun = gun
            for (role, entry) in roles {
                guard let currentVersion = entry["current"]?.intValue, let list = entry["versions"]?.objectValue else {
                    throw StorageError(.corrupt, role: role, "manifest entry for \(role) is malformed")
                }
                current[role] = currentVersion
                var parsed: [Int64: VersionEntry] = [:]
                for (key, item) in list {
                    guard let version = Int64(key), let sha = item["sha256"]?.stringValue, let millis = item["created"]?.intValue else {
                        throw StorageError(.corrupt, role: role, "manifest version \(key) of \(role) is malformed")
                    }
                    parsed[version] = VersionEntry(sha256: sha, created: Date(timeIntervalSince1970: Double(millis) / 1000))
                }
                versions[role] = parsed
            }
        }
    }

    func loadManifest(_ gun: String) throws -> Manifest? {
        let path = try repoDirectory(gun) + "/manifest.json"
        // The manifest is only ever replaced by rename, so (inode, size, mtime) identifies its
        // content; a stat per request replaces a read and a parse. Other processes' commits change
        // the inode, so the cache stays correct with several servers on one directory.
        let identity = try Self.identity(of: path)
        if identity == .absent {
            // No such collection, unless the whole store is gone.
            if let outage = outage(gun: gun) { throw outage }
            return nil
        }
        if let cached = cache.withLock({ $0.manifests[path] }), cached.identity == identity { return cached.manifest }
        guard let bytes = try StorageFile.read(path) else { return nil }
        let manifest: Manifest
        do { manifest = try Manifest(bytes: bytes) } catch {
            throw StorageError(.corrupt, gun: gun, role: (error as? StorageError)?.role, "\(path): \((error as? StorageError)?.reason ?? "\(error)")")
        }
        cache.withLock { $0.manifests[path] = (identity, manifest) }
        return manifest
    }

    private func load(gun: String, role: String, version: Int64, entry: VersionEntry) throws -> StoredMetadata {
        let path = "\(try repoDirectory(gun))/versions/\(try FileStore.fileName(gun: gun, role: role, version: version))"
        // Version files never change once committed; keyed with their sha256 as well, so a GUN that
        // was deleted and published again can never be served stale bytes.
        let key = "\(path)#\(entry.sha256)"
        if let bytes = cache.withLock({ $0.files[key] }) {
            return StoredMetadata(role: role, version: version, sha256: entry.sha256, created: entry.created, bytes: bytes)
        }
        guard let bytes = try StorageFile.read(path) else {
            if let outage = outage(gun: gun, role: role) { throw outage }
            throw StorageError(.corrupt, gun: gun, role: role, "\(path) is listed in the manifest but missing")
        }
        guard Hex.encode(Digest.sha256(bytes)) == entry.sha256 else {
            throw StorageError(.corrupt, gun: gun, role: role, "\(path) does not match the sha256 its manifest records")
        }
        cache.withLock { state in
            if state.fileBytes + bytes.count > FileStore.fileCacheBytes {
                state.files.removeAll()
                state.fileBytes = 0
            }
            if bytes.count <= FileStore.fileCacheBytes / 16 {
                state.files[key] = bytes
                state.fileBytes += bytes.count
            }
        }
        return StoredMetadata(role: role, version: version, sha256: entry.sha256, created: entry.created, bytes: bytes)
    }

    /// (inode, size, mtime) of `path`, `.absent` when it does not exist.
    private static func identity(of path: String) throws -> StoreRevision {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return .absent }
            throw StorageFile.failure("stat", path)
        }
        return StoreRevision(inode: UInt64(info.st_ino), size: Int64(info.st_size),
                             seconds: Int64(info.st_mtim.tv_sec), nanoseconds: Int64(info.st_mtim.tv_nsec))
    }

    /// The manifest's identity: every commit and delete replaces or removes it. Asked on every GET of
    /// cached metadata, so the manifest's path (a checked GUN and its SHA-256) is worked out once per
    /// GUN (`manifestPaths`), leaving one `stat`.
    package func revision(gun: String) throws -> StoreRevision? {
        if let path = manifestPaths.withLock({ $0[gun] }) { return try Self.identity(of: path) }
        let path = try repoDirectory(gun) + "/manifest.json"
        manifestPaths.withLock { paths in
            if paths.count >= 10_000 { paths.removeAll() }
            paths[gun] = path
        }
        return try Self.identity(of: path)
    }

    struct CacheState {
        var manifests: [String: (identity: StoreRevision, manifest: Manifest)] = [:]
        var files: [String: [UInt8]] = [:]
        var fileBytes = 0
    }

    /// Bytes of version files kept in memory (cleared wholesale when full).
    static let fileCacheBytes = 64 * 1024 * 1024

    // MARK: Failures

    /// Runs one store operation; what the file system throws becomes a `StorageError` naming `gun`
    /// and `role`: `.unavailable` during an `outage`, `.io` otherwise.
    func guarded<T>(gun: String?, role: String? = nil, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as StorageError { throw error } catch {
            if let outage = outage(gun: gun, role: role) { throw outage }
            throw StorageError(.io, gun: gun, role: role, "\(error)")
        }
    }

    /// `.unavailable` when `<root>/repos` cannot be reached (the storage directory was removed or
    /// unmounted, or its file system fails), else nil. Checked only on a failure or a miss, so that
    /// a store that is gone is never answered as an empty one.
    func outage(gun: String?, role: String? = nil) -> StorageError? {
        var info = stat()
        guard stat(root + "/repos", &info) != 0 else { return nil }
        return StorageError(.unavailable, gun: gun, role: role, "storage directory \(root) cannot be reached: \(String(cString: strerror(errno)))")
    }

    // MARK: MetadataStore

    package func current(gun: String, role: String) throws -> StoredMetadata? {
        try guarded(gun: gun, role: role) {
            guard let manifest = try loadManifest(gun), let version = manifest.current[role],
                  let entry = manifest.versions[role]?[version] else { return nil }
            return try load(gun: gun, role: role, version: version, entry: entry)
        }
    }

    package func version(gun: String, role: String, version: Int64) throws -> StoredMetadata? {
        try guarded(gun: gun, role: role) {
            guard let manifest = try loadManifest(gun), let entry = manifest.versions[role]?[version] else { return nil }
            return try load(gun: gun, role: role, version: version, entry: entry)
        }
    }

    package func byHash(gun: String, role: String, sha256Hex: String) throws -> StoredMetadata? {
        try guarded(gun: gun, role: role) {
            guard let manifest = try loadManifest(gun), let list = manifest.versions[role] else { return nil }
            let wanted = sha256Hex.lowercased()
            // Newest first: identical bytes stored twice can only happen for distinct versions, which
            // have distinct bytes, so at most one matches.
            for (version, entry) in list.sorted(by: { $0.key > $1.key }) where entry.sha256 == wanted {
                return try load(gun: gun, role: role, version: version, entry: entry)
            }
            return nil
        }
    }

    package func withWriteLock<T>(gun: String, _ body: () throws -> T) throws -> T {
        _ = try repoDirectory(gun)
        // Only taking the lock is a storage operation; what `body` throws passes through unchanged.
        var result: Result<T, any Error>?
        try guarded(gun: gun) {
            try locks.withLock(id: FileStore.gunID(gun)) { result = Result { try body() } }
        }
        guard let result else { throw StorageError(.io, gun: gun, "the write lock was taken but its body did not run") }
        return try result.get()
    }

    package func commit(gun: String, updates: [MetadataUpdate]) throws {
        try guarded(gun: gun) { try commitUnguarded(gun: gun, updates: updates) }
    }

    private func commitUnguarded(gun: String, updates: [MetadataUpdate]) throws {
        let directory = try repoDirectory(gun)
        var manifest = try loadManifest(gun) ?? Manifest(gun: gun)
        var seen = Set<String>()
        for update in updates {
            guard seen.insert(update.role).inserted else {
                throw StorageError(.versionConflict, gun: gun, role: update.role, "\(update.role) appears twice in one update")
            }
            let stored = manifest.current[update.role] ?? 0
            guard update.version > stored else {
                throw StorageError(.versionConflict, gun: gun, role: update.role,
                                   "\(update.role) version \(update.version) is not newer than stored version \(stored)")
            }
        }
        try StorageFile.makeDirectory(directory + "/versions")
        let now = Date()
        for update in updates {
            let name = try FileStore.fileName(gun: gun, role: update.role, version: update.version)
            try StorageFile.write(update.bytes, to: "\(directory)/versions/\(name)")
            manifest.current[update.role] = update.version
            manifest.versions[update.role, default: [:]][update.version] =
                VersionEntry(sha256: Hex.encode(Digest.sha256(update.bytes)), created: now)
        }
        // The commit point: one atomic rename makes every role of this publish current at once.
        try StorageFile.write(try manifest.encoded(), to: directory + "/manifest.json")
        for update in updates where update.role == RoleName.timestamp {
            try changefeed.append(gun: gun, version: update.version, sha256: Hex.encode(Digest.sha256(update.bytes)), category: "update", at: now)
        }
    }

    package func delete(gun: String) throws {
        let directory = try repoDirectory(gun)
        try withWriteLock(gun: gun) {
            try guarded(gun: gun) { try deleteUnguarded(gun: gun, directory: directory) }
        }
    }

    private func deleteUnguarded(gun: String, directory: String) throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            if let outage = outage(gun: gun) { throw outage }
            return
        }
        let trash = "\(root)/trash/\(FileStore.gunID(gun))-\(UUID().uuidString)"
        guard rename(directory, trash) == 0 else { throw StorageFile.failure("moving to trash", directory) }
        try StorageFile.syncDirectory(root + "/repos")
        try? FileManager.default.removeItem(atPath: trash)
        try changefeed.append(gun: gun, version: 0, sha256: "", category: "deletion", at: Date())
    }

    // MARK: Changefeed

    package func changes(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord] {
        try guarded(gun: gun) {
            guard let list = try changefeed.records(gun: gun, changeID: changeID, records: records) else {
                if let outage = outage(gun: gun) { throw outage }
                return []
            }
            return list
        }
    }
}
