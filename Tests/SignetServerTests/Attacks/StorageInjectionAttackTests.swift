import Foundation
@testable import SignetServer
import SignetTUF
import Testing

/// Attack: names that try to become SQL or to alias another collection in the PostgreSQL store.
/// GUNs may hold quotes, semicolons and `--` (`GUN.validate` allows them, as Notary does), and
/// the store must treat them as data: parameters are bound in binary, never spliced into SQL, and
/// names are compared as bytes (a GUN in NFC and the same GUN in NFD are two collections, as in
/// Notary's Go). The path-escape side of the same attack (`..`, absolute paths) is
/// `StorageTests.invalidNamesNeverReachThePath`.
@Suite("Attack: storage injection", .postgresCluster) struct StorageInjectionAttackTests {
    func store() throws -> PostgresStore {
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        return try PostgresStore(parameters: try cluster.makeDatabase())
    }

    @Test func sqlInGUNsIsData() throws {
        let store = try store()
        let victim = "example.com/victim"
        try store.commit(gun: victim, updates: [MetadataUpdate(role: "root", version: 1, bytes: Array("victim root".utf8))])
        let hostile = [
            "example.com/x'; DELETE FROM signet_tuf_files; --",
            "example.com/x' OR '1'='1",
            "example.com/%",
            "example.com/_",
        ]
        for gun in hostile {
            try GUN.validate(gun)
            #expect(try store.current(gun: gun, role: "root") == nil, "\(gun) reads another collection")
            try store.commit(gun: gun, updates: [MetadataUpdate(role: "root", version: 1, bytes: Array(gun.utf8)),
                                                 MetadataUpdate(role: "timestamp", version: 1, bytes: Array(gun.utf8))])
            #expect(try store.current(gun: gun, role: "root")?.bytes == Array(gun.utf8))
            try store.delete(gun: gun)
        }
        #expect(try store.current(gun: victim, role: "root")?.bytes == Array("victim root".utf8))
        // LIKE wildcards match nothing else: the filtered feed holds that GUN's update and deletion only.
        let feed = try store.changes(gun: "example.com/%", changeID: 0, records: 100)
        #expect(feed.map(\.category) == ["update", "deletion"] && feed.allSatisfy { $0.gun == "example.com/%" })
    }

    @Test func unicodeEquivalentGUNsAreDistinct() throws {
        let store = try store()
        let composed = "example.com/caf\u{E9}"
        let decomposed = "example.com/cafe\u{301}"
        try store.commit(gun: composed, updates: [MetadataUpdate(role: "root", version: 1, bytes: Array("nfc".utf8))])
        #expect(try store.current(gun: decomposed, role: "root") == nil)
        #expect(try store.changes(gun: decomposed, changeID: 0, records: 100).isEmpty)
        try store.commit(gun: decomposed, updates: [MetadataUpdate(role: "root", version: 1, bytes: Array("nfd".utf8))])
        #expect(try store.current(gun: composed, role: "root")?.bytes == Array("nfc".utf8))
    }
}
