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

/// One stored version of one role without its bytes: what `MetadataSource.history(gun:)` lists.
package struct StoredVersion: Sendable, Equatable {
    package var role: String
    package var version: Int64
    /// Lowercase hex SHA-256 of the version's bytes.
    package var sha256: String
    /// When this version was stored (served as `Last-Modified`).
    package var created: Date

    package init(role: String, version: Int64, sha256: String, created: Date) {
        self.role = role
        self.version = version
        self.sha256 = sha256
        self.created = created
    }
}

/// The read half of a store: every collection, every version of every role, and the changefeed.
/// `MetadataStore` adds the writes; a notary-server database (`NotaryDatabase`) is a source only.
/// `signet storage copy` and `signet storage import-notary` read through it (`StorageCopy`).
///
/// Every method throws `StorageError` only (`Storage/StorageError.swift`): `.invalidName`,
/// `.unavailable` when the storage cannot be reached, `.io`, `.corrupt`. Absent data is `nil` (or
/// an empty list), never an error.
package protocol MetadataSource: Sendable {
    /// The newest committed version of `role`, or nil.
    func current(gun: String, role: String) throws -> StoredMetadata?
    /// A committed version of `role`, or nil.
    func version(gun: String, role: String, version: Int64) throws -> StoredMetadata?
    /// The committed version of `role` whose sha256 is `sha256Hex` (lowercase), or nil.
    func byHash(gun: String, role: String, sha256Hex: String) throws -> StoredMetadata?
    /// Changefeed records, oldest first. `gun` nil = all GUNs. `changeID` is exclusive; with
    /// `records` negative, the records before `changeID` (or the last ones for `changeID` -1).
    func changes(gun: String?, changeID: Int64, records: Int) throws -> [ChangeRecord]
    /// Every GUN with at least one stored version, sorted by its UTF-8 bytes.
    func collections() throws -> [String]
    /// Every committed version of every role of `gun` (empty when there is none), sorted by role
    /// (UTF-8 bytes), then version.
    func history(gun: String) throws -> [StoredVersion]
}

/// Where the server keeps collections: every version of every role per GUN, a by-hash index, and
/// the changefeed. The file store is the embedded default; a networked backend (PostgreSQL)
/// implements the same protocol.
///
/// Callers validate GUNs (`GUN.validate`) and role names (`RoleName.validate`) before calling; the
/// store checks again before anything touches a path.
///
/// Errors as `MetadataSource`'s, plus `.versionConflict` for writes (answered `400 VERSION`);
/// `.unavailable` is answered 503. `withWriteLock` passes what its body throws through unchanged.
package protocol MetadataStore: MetadataSource {
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
    /// A value that changes whenever `gun`'s committed metadata changes, in this process or another,
    /// read without loading any metadata (`CurrentMetadataCache` compares it on every GET). nil when
    /// the store cannot tell; then nothing of it is cached.
    func revision(gun: String) throws -> StoreRevision?
    /// Stores `files` as committed versions of `gun` exactly as given (bytes, version, creation
    /// time), all at once or none, with no changefeed record: how `signet storage copy` carries a
    /// collection's history. Versions may come in any order and with gaps; each role's newest
    /// stored version becomes its current one. Takes the GUN's write lock itself.
    /// - Throws: `StorageError(.versionConflict)` when a (role, version) is already stored or given
    ///   twice; `.corrupt` when a file's `sha256` is not that of its bytes; `.invalidName`,
    ///   `.unavailable`, `.io` as for `commit`.
    func restore(gun: String, files: [StoredMetadata]) throws
    /// Appends changefeed records keeping their IDs, GUNs, versions, hashes, categories and times
    /// (a changefeed reader's saved change ID stays valid after `signet storage copy`). Later
    /// changes get IDs above the highest restored one.
    /// - Throws: `StorageError(.versionConflict)` when the IDs do not increase or one is not above
    ///   every stored ID; `.unavailable`, `.io` when they cannot be written.
    func restoreChanges(_ records: [ChangeRecord]) throws
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
