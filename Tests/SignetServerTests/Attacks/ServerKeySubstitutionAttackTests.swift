import Foundation
@testable import SignetServer
import SignetTUF
import Testing

/// Attack: a stored server key that is not the key its ID names. Whoever can write the key storage
/// (a shared volume, a database role with INSERT) but not read the passphrase swaps the encrypted
/// bytes of a GUN's timestamp key for another key sealed with the same passphrase (copied from
/// another GUN), or gives a key an ID that is a path. The server must neither hand out nor sign
/// with a key whose material does not match its ID (a key's identity and the key that signs come
/// from one parsed object), and key IDs never become paths.
@Suite("Attack: server key substitution", .postgresCluster) struct ServerKeySubstitutionAttackTests {
    static let gun = "example.com/library/app"

    /// Another GUN's key stored under this GUN's key ID is refused when read, on both backends.
    @Test(arguments: StoreBackend.allCases) func anotherKeyUnderAKeyIDIsRefused(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let location = try backend.location(scratch)
        let writer = try backend.openKeys(location)
        let victim = try writer.getOrCreate(gun: Self.gun, role: "timestamp", root: nil)
        let other = try writer.getOrCreate(gun: "example.com/other", role: "timestamp", root: nil)
        let otherBytes = try #require(try writer.storedKey(gun: "example.com/other", role: "timestamp", keyID: other.id)).encryptedPEM
        try writer.delete(gun: Self.gun)
        #expect(try writer.add(StoredServerKey(gun: Self.gun, role: "timestamp", keyID: victim.id, created: Date(), encryptedPEM: otherBytes),
                               onlyIfNone: true))
        // A fresh server (nothing decrypted in memory yet) reads the substituted row.
        let reader = try backend.openKeys(location)
        let refused = #expect(throws: NotaryError.self) { _ = try reader.getOrCreate(gun: Self.gun, role: "timestamp", root: nil) }
        #expect(refused?.code == .unknown && refused?.logMessage.contains("holds key \(other.id)") == true, "\(String(describing: refused))")
    }

    /// A key ID that would be a path (or anything but lowercase hex) never reaches the file system.
    @Test func keyIDsThatArePathsAreRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let keys = try StoreBackend.file.openKeys(.directory(scratch.path))
        for id in ["../../../escaped", "/tmp/abs", "ABCDEF", "", "ab\u{0}cd"] {
            let refused = #expect(throws: StorageError.self) {
                try keys.add(StoredServerKey(gun: Self.gun, role: "timestamp", keyID: id, created: Date(), encryptedPEM: Array("x".utf8)), onlyIfNone: false)
            }
            #expect(refused?.kind == .invalidName, "\(id): \(String(describing: refused))")
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/escaped.pem"))
        #expect(try keys.keyIDs(gun: Self.gun, role: "timestamp").isEmpty)
    }
}
