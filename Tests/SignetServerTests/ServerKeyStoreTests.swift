import Foundation
import Logging
import SignetCrypto
@testable import SignetServer
import SignetTUF
import Testing

/// The server-held keys behind the `ServerKeyStore` seam, on each backend: files under the storage
/// directory and PostgreSQL's `signet_server_keys` (one throwaway cluster for the suite, a fresh
/// database per test). Two store instances on one storage stand for two servers.
@Suite(.postgresCluster) struct ServerKeyStoreTests {
    static let gun = "example.com/library/app"
    static let passphrase = "key-store-test-passphrase"

    /// Two servers asking for a GUN's first timestamp key at once (`GET timestamp.key` on each)
    /// end with one stored key, and every caller gets that key.
    @Test(arguments: StoreBackend.allCases) func firstKeyRaceKeepsOneKey(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let location = try backend.location(scratch)
        let servers = [try backend.openKeys(location), try backend.openKeys(location)]
        let handedOut = LockedList<String>()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            do { handedOut.append(try servers[index % 2].getOrCreate(gun: Self.gun, role: "timestamp", root: nil).id) } catch {
                Issue.record("getOrCreate \(index): \(error)")
            }
        }
        let ids = Set(handedOut.values)
        #expect(handedOut.values.count == 8 && ids.count == 1, "handed out \(ids.sorted())")
        for server in servers { #expect(try server.keyIDs(gun: Self.gun, role: "timestamp") == Array(ids)) }
    }

    /// A key one server creates (`POST timestamp.key`, a rotation) is the newest pending key every
    /// other server hands out; the first one stays stored, oldest first.
    @Test(arguments: StoreBackend.allCases) func rotatedKeyIsSeenByEveryServer(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let location = try backend.location(scratch)
        let first = try backend.openKeys(location), second = try backend.openKeys(location)
        let original = try first.getOrCreate(gun: Self.gun, role: "timestamp", root: nil)
        #expect(try second.getOrCreate(gun: Self.gun, role: "timestamp", root: nil) == original)
        let rotated = try second.create(gun: Self.gun, role: "timestamp")
        #expect(rotated != original)
        #expect(try first.getOrCreate(gun: Self.gun, role: "timestamp", root: nil) == rotated)
        #expect(try first.keyIDs(gun: Self.gun, role: "timestamp") == [original.id, rotated.id])
        #expect(try first.keyIDs(gun: Self.gun, role: "snapshot").isEmpty)
        #expect(try first.keyIDs(gun: "example.com/other", role: "timestamp").isEmpty)
    }

    /// What `signet storage copy` does through the seam: every stored key of a GUN, still
    /// encrypted, added to another store of either kind arrives with its bytes and order; adding
    /// it again stores nothing.
    @Test(arguments: StoreBackend.allCases) func storedKeysCopyIntoTheOtherBackend(_ source: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let destination: StoreBackend = source == .file ? .postgres : .file
        let from = try source.openKeys(try source.location(scratch))
        let destinationScratch = try TemporaryDirectory()
        defer { destinationScratch.remove() }
        let to = try destination.openKeys(try destination.location(destinationScratch))
        _ = try from.getOrCreate(gun: Self.gun, role: "timestamp", root: nil)
        try from.create(gun: Self.gun, role: "timestamp")
        try from.create(gun: Self.gun, role: "snapshot")
        let keys = try from.storedKeys(gun: Self.gun)
        #expect(keys.map(\.role) == ["timestamp", "timestamp", "snapshot"])
        for key in keys { #expect(try to.add(key, onlyIfNone: false)) }
        for key in keys { #expect(try !to.add(key, onlyIfNone: false), "a key added twice") }
        let copied = try to.storedKeys(gun: Self.gun)
        #expect(copied.map(\.keyID) == keys.map(\.keyID) && copied.map(\.encryptedPEM) == keys.map(\.encryptedPEM))
        for (original, copy) in zip(keys, copied) { #expect(abs(original.created.timeIntervalSince(copy.created)) < 0.001) }
        // The copy decrypts with the same passphrase to the same keys.
        #expect(try to.getOrCreate(gun: Self.gun, role: "timestamp", root: nil).id == keys[1].keyID)
    }

    /// A server whose key passphrase is not the one the database's keys are encrypted with is
    /// refused when its key store opens, naming the setting, instead of failing every re-sign.
    @Test func anotherPassphraseIsRefusedAtOpen() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let location = try StoreBackend.postgres.location(scratch)
        let keys = try StoreBackend.postgres.openKeys(location)
        try keys.create(gun: Self.gun, role: "timestamp")
        let refused = #expect(throws: StorageError.self) { _ = try StoreBackend.postgres.openKeys(location, passphrase: "another-passphrase") }
        #expect(refused?.kind == .incompatible, "\(String(describing: refused))")
        #expect(refused?.reason.contains("SIGNET_SERVER_KEY_PASSPHRASE") == true, "\(String(describing: refused))")
        #expect(refused.map { !"\($0)".contains("another-passphrase") && !"\($0)".contains(Self.passphrase) } == true)
        _ = try StoreBackend.postgres.openKeys(location)
    }

    /// Keys a server on PostgreSQL kept in `<storage>/keys` before keys moved into the database are
    /// copied in the first time they are needed, so upgrading does not orphan a GUN's timestamp key.
    @Test func keysFromTheStorageDirectoryMoveIntoTheDatabase() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        guard case .database(let parameters) = try StoreBackend.postgres.location(scratch) else { throw TestFailure("no database") }
        var settings = TrustServerSettings(storageDirectory: scratch.path)
        settings.keyPassphrase = Self.passphrase
        settings.keyDerivation = .pbkdf2SHA256(iterations: 1000)
        let logger = Logger(label: "signet.test", factory: { _ in SwiftLogNoOpLogHandler() })
        let old = try FileKeyStore.open(storageDirectory: scratch.path, settings: settings, logger: logger)
        let held = try old.getOrCreate(gun: Self.gun, role: "timestamp", root: nil)
        let upgraded = try PostgresKeyStore.open(store: try PostgresStore(parameters: parameters), storageDirectory: scratch.path,
                                                 settings: settings, logger: logger)
        #expect(try upgraded.getOrCreate(gun: Self.gun, role: "timestamp", root: nil) == held)
        let elsewhere = try PostgresKeyStore(store: try PostgresStore(parameters: parameters),
                                             sealing: ServerKeySealing(algorithm: .ed25519, passphrase: Self.passphrase))
        #expect(try elsewhere.keyIDs(gun: Self.gun, role: "timestamp") == [held.id], "the key is in the database now")
    }
}

extension StoreBackend {
    /// A server key store on `location` (PostgreSQL: with its own `PostgresStore`, as another
    /// server would have), with fast test key derivation.
    func openKeys(_ location: Location, passphrase: String = ServerKeyStoreTests.passphrase) throws -> any ServerKeyStore {
        let kdf = KeyDerivation.pbkdf2SHA256(iterations: 1000)
        switch location {
        case .directory(let path):
            return try FileKeyStore(directory: path + "/keys", algorithm: .ed25519, passphrase: passphrase, kdf: kdf)
        case .database(let parameters):
            return try PostgresKeyStore(store: try PostgresStore(parameters: parameters),
                                        sealing: ServerKeySealing(algorithm: .ed25519, passphrase: passphrase, kdf: kdf))
        }
    }
}

/// The file key store lists a role's key directory to find its keys. A directory that exists but
/// cannot be listed (here a file in its place; likewise EACCES, or EMFILE under load) was read as
/// "no keys" (`try?`), so `GET timestamp.key` would have generated a new key for a GUN that has
/// one, and `storage copy` left the role's keys behind without a word. Now it is a storage error
/// naming the GUN and role; a role without a directory still has no keys.
@Suite struct FileKeyStoreListingTests {
    @Test func aKeyDirectoryThatCannotBeListedIsAnErrorNotNoKeys() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let keys = try FileKeyStore(directory: scratch.path + "/keys", algorithm: .ed25519, passphrase: "listing-test-passphrase")
        let gun = "example.com/listing/app"
        #expect(try keys.keyIDs(gun: gun, role: "timestamp").isEmpty, "no directory: no keys")
        let key = try keys.getOrCreate(gun: gun, role: "timestamp", root: nil)
        #expect(try keys.keyIDs(gun: gun, role: "timestamp") == [key.id])
        let roleDirectory = scratch.path + "/keys/\(FileStore.gunID(gun))/timestamp"
        try FileManager.default.removeItem(atPath: roleDirectory)
        try Data("not a directory\n".utf8).write(to: URL(fileURLWithPath: roleDirectory))
        for (what, call) in [("keyIDs", { _ = try keys.keyIDs(gun: gun, role: "timestamp") }),
                             ("storedKeys", { _ = try keys.storedKeys(gun: gun) }),
                             ("getOrCreate", { _ = try keys.getOrCreate(gun: gun, role: "timestamp", root: nil) })] as [(String, () throws -> Void)] {
            let error = try #require(throws: StorageError.self, "\(what)") { try call() }
            #expect(error.kind == .io && error.gun == gun && error.role == "timestamp", "\(what): \(error)")
            #expect(error.reason.contains("cannot list the server keys in \(roleDirectory)"), "\(what): \(error)")
        }
    }
}
