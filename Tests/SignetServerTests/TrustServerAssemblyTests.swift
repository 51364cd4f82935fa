import Foundation
import Logging
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// How a trust server is put together: the storage and the server-held keys it is given, never
/// ones it opens on its own.
@Suite struct TrustServerAssemblyTests {
    static let gun = "example.com/library/app"

    /// The server reads and writes only the `MetadataStore` and `ServerKeyStore` it was given: a
    /// role committed to the injected store is served, a key asked for lands in the injected key
    /// directory, and `settings.storageDirectory` is never created.
    @Test func servesTheInjectedStoreAndKeys() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path + "/elsewhere/store")
        let keys = try FileKeyStore(directory: scratch.path + "/elsewhere/keys", algorithm: .ed25519,
                                    passphrase: "injected-test-passphrase", kdf: .pbkdf2SHA256(iterations: 1000))
        let targetsBytes = Array(#"{"signed":{"_type":"Targets"},"signatures":[]}"#.utf8)
        try store.withWriteLock(gun: Self.gun) {
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 1, bytes: targetsBytes)])
        }
        let unused = scratch.path + "/never-opened"
        let server = try InProcessServer(storage: unused, assemble: { settings, logger in
            TrustServer(settings: settings, store: store, keys: keys, logger: logger)
        })
        defer { server.stop() }

        let targets = try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json")
        #expect(targets.status == 200)
        #expect(targets.body == targetsBytes)
        let key = try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.key")
        #expect(key.status == 200)
        let held = try FileManager.default.contentsOfDirectory(atPath: "\(keys.directory)/\(FileStore.gunID(Self.gun))/timestamp")
        #expect(held.count == 1 && held[0].hasSuffix(".pem"), "\(held)")
        #expect(!FileManager.default.fileExists(atPath: unused))
    }
}
