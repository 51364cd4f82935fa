import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// Moves every collection from one store to another: `signet storage copy` (file store ↔
/// PostgreSQL) and `signet storage import-notary` (a notary-server 0.7 database as the source).
///
/// 1. The destination must be empty (no collection, no changefeed record), else
///    `StorageMoveError(.destinationNotEmpty)`: a copy never merges two histories, and running it
///    again over a finished copy is refused, not repeated.
/// 2. Every GUN and role name of the source is checked (`GUN.validate`, `RoleName.validate`) before
///    anything is written; one Signet would refuse is `StorageMoveError(.refusedName)`.
/// 3. Per GUN, every version of every role is read, its bytes checked against the sha256 the source
///    records, and stored with its version and creation time (`MetadataStore.restore`, at most
///    `batchBytes` per call).
/// 4. The changefeed is copied with its IDs (`restoreChanges`, `changePage` records per call).
/// 5. Every collection is checked on the destination (`CollectionCheck`): the same versions with
///    the same hashes, and the verified update from its first root gives the same result as on the
///    source. A collection that does not verify on the source either (expired, say) is copied and
///    reported with the reason; any difference is `StorageMoveError(.verificationFailed)`.
///
/// Nothing serves the destination during a copy: start `signet serve` on it afterwards.
package struct StorageCopy {
    package var source: any MetadataSource
    package var destination: any MetadataStore
    /// The instant expiry is judged at when verifying.
    package var now: TUFTime

    /// Bytes of version files read before they are written in one `restore` call: 64 MiB.
    package static let batchBytes = 64 << 20
    /// Changefeed records read and written per call.
    package static let changePage = 1000

    /// Server-held keys to copy with the collections (`signet storage copy`; a notary-server
    /// database holds none): each GUN's keys are stored encrypted as they are, then every copied
    /// key must open with the destination's passphrase.
    package var keys: (from: any ServerKeyStore, to: any ServerKeyStore)?

    package init(source: any MetadataSource, destination: any MetadataStore, now: TUFTime,
                 keys: (from: any ServerKeyStore, to: any ServerKeyStore)? = nil) {
        self.source = source
        self.destination = destination
        self.now = now
        self.keys = keys
    }

    /// What was copied.
    package struct Report: Sendable {
        package var collections: [CollectionCheck.Outcome] = []
        package var changes = 0
        package var versions: Int { collections.reduce(0) { $0 + $1.versions } }
    }

    /// Runs the copy; `copied` is called after each collection is stored and checked.
    /// - Throws: `StorageMoveError` as described on the type; `StorageError` from either store
    ///   (an unreachable database is `.unavailable`).
    package func run(copied: (CollectionCheck.Outcome) -> Void = { _ in }) throws -> Report {
        guard try destination.collections().isEmpty, try destination.changes(gun: nil, changeID: 0, records: 1).isEmpty else {
            throw StorageMoveError(.destinationNotEmpty, "the destination already holds collections or changefeed records; copy into an empty directory or database")
        }
        let guns = try source.collections()
        var histories: [String: [StoredVersion]] = [:]
        for gun in guns {
            do { try GUN.validate(gun) } catch { throw StorageMoveError(.refusedName, gun: gun, "GUN \(gun) is not one Signet accepts: \(error)") }
            let history = try source.history(gun: gun)
            for role in Set(history.map(\.role)) {
                do { try RoleName.validate(role) } catch {
                    throw StorageMoveError(.refusedName, gun: gun, "role \(role) of \(gun) is not one Signet accepts: \(error)")
                }
            }
            histories[gun] = history
        }
        var report = Report()
        var keyCounts: [String: Int] = [:]
        do {
            for gun in guns {
                try copyCollection(gun: gun, history: histories[gun] ?? [])
                if let keys { keyCounts[gun] = try Self.copyKeys(gun: gun, from: keys.from, to: keys.to) }
            }
            report.changes = try copyChangefeed()
        } catch {
            // Say so when the destination is no longer empty (it cannot be copied into again).
            guard (try? destination.collections().isEmpty) == false else { throw error }
            if let error = error as? StorageMoveError { throw StorageMoveError(error.kind, gun: error.gun, error.message + Self.partialCopyNote) }
            if let error = error as? StorageError { throw StorageError(error.kind, gun: error.gun, role: error.role, error.reason + Self.partialCopyNote) }
            throw error
        }
        for gun in guns {
            var outcome = try CollectionCheck(source: source, destination: destination, now: now).check(gun: gun, expected: histories[gun] ?? [])
            outcome.serverKeys = keyCounts[gun]
            report.collections.append(outcome)
            copied(outcome)
        }
        return report
    }

    /// Added to an error that stops a copy after something was written.
    static let partialCopyNote = "; the destination now holds a partial copy: empty it (or use a new one) before running again"

    private func copyCollection(gun: String, history: [StoredVersion]) throws {
        var batch: [StoredMetadata] = []
        var batchSize = 0
        for entry in history {
            guard let file = try source.version(gun: gun, role: entry.role, version: entry.version) else {
                throw StorageMoveError(.verificationFailed, gun: gun, "\(entry.role) version \(entry.version) of \(gun) is listed by the source but cannot be read")
            }
            let sha256 = Hex.encode(Digest.sha256(file.bytes))
            guard sha256 == entry.sha256.lowercased() else {
                throw StorageMoveError(.verificationFailed, gun: gun, "\(entry.role) version \(entry.version) of \(gun) does not match the sha256 the source records (\(entry.sha256), bytes hash to \(sha256))")
            }
            if batchSize + file.bytes.count > Self.batchBytes, !batch.isEmpty {
                try destination.restore(gun: gun, files: batch)
                batch.removeAll()
                batchSize = 0
            }
            batch.append(StoredMetadata(role: entry.role, version: entry.version, sha256: sha256, created: entry.created, bytes: file.bytes))
            batchSize += file.bytes.count
        }
        if !batch.isEmpty { try destination.restore(gun: gun, files: batch) }
    }

    /// Copies `gun`'s server keys (encrypted, as stored) and checks that each opens on the
    /// destination; returns how many.
    /// - Throws: `StorageMoveError(.keyPassphrase)` for a key the destination's passphrase does
    ///   not open; `.verificationFailed` when the destination then lists other keys.
    static func copyKeys(gun: String, from: any ServerKeyStore, to: any ServerKeyStore) throws -> Int {
        let keys = try from.storedKeys(gun: gun)
        for key in keys {
            try to.add(key, onlyIfNone: false)
        }
        let copied = try to.storedKeys(gun: gun)
        guard copied.map({ "\($0.role) \($0.keyID)" }) == keys.map({ "\($0.role) \($0.keyID)" }),
              zip(copied, keys).allSatisfy({ $0.encryptedPEM == $1.encryptedPEM }) else {
            throw StorageMoveError(.verificationFailed, gun: gun, "the server keys of \(gun) differ after the copy")
        }
        for key in copied {
            do { _ = try to.sealing.open(key) } catch {
                throw StorageMoveError(.keyPassphrase, gun: gun,
                                       "the \(key.role) key \(key.keyID) of \(gun) does not open with the destination's key passphrase; set SIGNET_SERVER_KEY_PASSPHRASE to the passphrase the source's server used")
            }
        }
        return keys.count
    }

    /// Copies the whole changefeed, oldest first; returns how many records.
    private func copyChangefeed() throws -> Int {
        var after: Int64 = 0
        var count = 0
        while true {
            let page = try source.changes(gun: nil, changeID: after, records: Self.changePage)
            guard let last = page.last else { return count }
            try destination.restoreChanges(page)
            count += page.count
            after = last.id
        }
    }
}

/// Why a copy or an import stopped (`StorageCopy`); the CLI maps `kind` to its exit code.
package struct StorageMoveError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// The destination holds collections or changefeed records (exit 2).
        case destinationNotEmpty
        /// A GUN or role name in the source that Signet refuses (exit 2).
        case refusedName
        /// The source is not a notary-server database Signet can read (exit 2).
        case notNotaryDatabase
        /// The source directory is not a Signet storage directory (exit 2).
        case notAStore
        /// The server keys' passphrase is missing or does not open the keys (exit 2).
        case keyPassphrase
        /// A copied collection differs from its source, or the source's bytes do not match the
        /// hash it records (exit 1).
        case verificationFailed
    }

    package var kind: Kind
    package var gun: String?
    package var message: String

    package init(_ kind: Kind, gun: String? = nil, _ message: String) {
        self.kind = kind
        self.gun = gun
        self.message = message
    }

    package var description: String { message }
}
