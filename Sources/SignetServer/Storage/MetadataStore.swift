import FoundationEssentials

/// One stored version of one role's metadata file (a row of Notary's `tuf_files`).
package struct StoredMetadata: Sendable {
    package var role: String
    package var version: Int64
    /// Lowercase hex SHA-256 of `bytes`.
    package var sha256: String
    /// When this version was stored (served as `Last-Modified`).
    package var created: Date
    /// The file exactly as uploaded or generated.
    package var bytes: [UInt8]

    package init(role: String, version: Int64, sha256: String, created: Date, bytes: [UInt8]) {
        self.role = role
        self.version = version
        self.sha256 = sha256
        self.created = created
        self.bytes = bytes
    }
}

/// One role file to store in a publish.
package struct MetadataUpdate: Sendable {
    package var role: String
    package var version: Int64
    package var bytes: [UInt8]

    package init(role: String, version: Int64, bytes: [UInt8]) {
        self.role = role
        self.version = version
        self.bytes = bytes
    }
}

/// One changefeed record (reference §2.7): a stored timestamp version (`update`) or a GUN deletion.
package struct ChangeRecord: Sendable, Equatable {
    package var id: Int64
    package var createdAt: Date
    package var gun: String
    package var version: Int64
    package var sha256: String
    package var category: String

    package init(id: Int64, createdAt: Date, gun: String, version: Int64, sha256: String, category: String) {
        self.id = id
        self.createdAt = createdAt
        self.gun = gun
        self.version = version
        self.sha256 = sha256
        self.category = category
    }
}

/// Where the server keeps collections: every version of every role per GUN, a by-hash index, and
/// the changefeed. The file store is the embedded default; a networked backend (PostgreSQL) can
/// implement the same protocol.
///
/// Callers validate GUNs (`GUN.validate`) and role names (`RoleName.validate`) before calling; the
/// store checks again before anything touches a path.
///
/// Every method throws `StorageError` only (`Storage/StorageError.swift`): `.invalidName`,
/// `.versionConflict`, `.unavailable` when the storage cannot be reached (answered 503), `.io`,
/// `.corrupt`. Absent data is `nil` (or an empty list), never an error; `withWriteLock` passes
/// what its body throws through unchanged.
package protocol MetadataStore: Sendable {
    /// The newest committed version of `role`, or nil.
    func current(gun: String, role: String) throws -> StoredMetadata?
    /// A committed version of `role`, or nil.
    func version(gun: String, role: String, version: Int64) throws -> StoredMetadata?
    /// The committed version of `role` whose sha256 is `sha256Hex` (lowercase), or nil.
    func byHash(gun: String, role: String, sha256Hex: String) throws -> StoredMetadata?
    /// Runs `body` while holding the GUN's single-writer lock (in-process and across processes).
    func withWriteLock<T>(gun: String, _ body: () throws -> T) throws -> T
    /// Stores `updates` atomically: all become current together, or none does.
    /// - Throws: `StorageError(.versionConflict)` when a role appears twice or a version is not
    ///   newer than the stored one; `.unavailable` / `.io` when it cannot be written.
    /// Must be called inside `withWriteLock(gun:)`.
    func commit(gun: String, updates: [MetadataUpdate]) throws
    /// Removes every version of every role of `gun` (no error if there were none) and records a
    /// `deletion` change.
    func delete(gun: String) throws
    /// Changefeed records, oldest first. `gun` nil = all GUNs. `changeID` is exclusive; with
    /// `records` negative, the records before `changeID` (or the last ones for `changeID` -1).
    func changes(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord]
    /// A value that changes whenever `gun`'s committed metadata changes, in this process or another,
    /// read without loading any metadata (`CurrentMetadataCache` compares it on every GET). nil when
    /// the store cannot tell; then nothing of it is cached.
    func revision(gun: String) throws -> StoreRevision?
}

extension MetadataStore {
    package func revision(gun: String) throws -> StoreRevision? { nil }
}

/// What `MetadataStore.revision(gun:)` returns: equal values mean the GUN's metadata is unchanged.
/// For the file store, the manifest's inode, size and modification time (it is only replaced by rename).
package struct StoreRevision: Equatable, Sendable {
    package var inode: UInt64
    package var size: Int64
    package var seconds: Int64
    package var nanoseconds: Int64

    package init(inode: UInt64, size: Int64, seconds: Int64, nanoseconds: Int64) {
        self.inode = inode
        self.size = size
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// No metadata stored for the GUN.
    package static let absent = StoreRevision(inode: 0, size: 0, seconds: 0, nanoseconds: 0)
}
