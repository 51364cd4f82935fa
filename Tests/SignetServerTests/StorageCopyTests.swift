import Foundation
import SignetCrypto
@testable import SignetServer
import SignetTUF
import Testing

/// `signet storage copy` between the file store and PostgreSQL (one throwaway cluster for the
/// suite): the stores' listing and restore methods on each backend, then the command on a
/// collection the real notary client published — every version by version and by hash, creation
/// times and the changefeed with its IDs, served unchanged afterwards — and its refusals.
@Suite(.postgresCluster) struct StorageCopyTests {
    static let gun = "example.com/library/app"

    func file(_ role: String, _ version: Int64, _ text: String? = nil, created: Date = Date(timeIntervalSince1970: 1_700_000_000.25)) -> StoredMetadata {
        let bytes = Array((text ?? "\(role) v\(version)").utf8)
        return StoredMetadata(role: role, version: version, sha256: Hex.encode(Digest.sha256(bytes)), created: created, bytes: bytes)
    }

    // MARK: The stores

    /// `restore` keeps bytes, versions (with gaps, in any order) and creation times; the newest
    /// becomes current; `collections` and `history` list exactly what is stored.
    @Test(arguments: StoreBackend.allCases) func restoreKeepsEveryVersionAndItsTime(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        #expect(try store.collections().isEmpty)
        let created = Date(timeIntervalSince1970: 1_600_000_000.5)
        try store.restore(gun: Self.gun, files: [file("targets", 3), file("root", 1, created: created), file("targets", 1), file("targets/releases", 7)])
        try store.restore(gun: "example.com/b", files: [file("root", 2)])
        #expect(try store.collections() == ["example.com/b", Self.gun])
        #expect(try store.current(gun: Self.gun, role: "targets")?.bytes == Array("targets v3".utf8))
        #expect(try store.version(gun: Self.gun, role: "targets", version: 1)?.bytes == Array("targets v1".utf8))
        #expect(try store.version(gun: Self.gun, role: "targets", version: 2) == nil)
        let root = try #require(try store.byHash(gun: Self.gun, role: "root", sha256Hex: Hex.encode(Digest.sha256(Array("root v1".utf8)))))
        #expect(abs(root.created.timeIntervalSince(created)) < 0.002, "\(root.created) is not \(created)")
        let history = try store.history(gun: Self.gun)
        #expect(history.map { "\($0.role) \($0.version)" } == ["root 1", "targets 1", "targets 3", "targets/releases 7"])
        #expect(try store.changes(gun: nil, changeID: 0, records: 10).isEmpty, "restore writes no changefeed record")
        // A commit after a restore goes on from the restored versions.
        try store.withWriteLock(gun: Self.gun) {
            let refused = #expect(throws: StorageError.self) { try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 2, bytes: [1])]) }
            #expect(refused?.kind == .versionConflict)
            try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 4, bytes: Array("targets v4".utf8))])
        }
        #expect(try store.current(gun: Self.gun, role: "targets")?.version == 4)
    }

    /// A version already stored, one given twice, or bytes that do not match their sha256 are
    /// refused, and nothing of that call is kept.
    @Test(arguments: StoreBackend.allCases) func restoreRefusesWhatItCannotKeepExactly(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        try store.restore(gun: Self.gun, files: [file("root", 1)])
        var forged = file("targets", 1)
        forged.bytes = Array("other bytes".utf8)
        for (files, kind) in [([file("targets", 1), file("root", 1, "root again")], StorageError.Kind.versionConflict),
                              ([file("targets", 1), file("targets", 1)], .versionConflict),
                              ([file("snapshot", 1), forged], .corrupt)] {
            let refused = #expect(throws: StorageError.self) { try store.restore(gun: Self.gun, files: files) }
            #expect(refused?.kind == kind, "\(String(describing: refused))")
        }
        #expect(try store.history(gun: Self.gun).map(\.role) == ["root"])
        #expect(try store.current(gun: Self.gun, role: "root")?.bytes == Array("root v1".utf8))
        let badName = #expect(throws: StorageError.self) { try store.restore(gun: "../x", files: [file("root", 1)]) }
        #expect(badName?.kind == .invalidName)
    }

    /// Restored changefeed records keep their IDs (gaps too); a change recorded afterwards gets an
    /// ID above them, and IDs that do not increase are refused.
    @Test(arguments: StoreBackend.allCases) func restoredChangefeedKeepsIDs(_ backend: StoreBackend) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try backend.open(try backend.location(scratch))
        let when = Date(timeIntervalSince1970: 1_650_000_000)
        let records = [ChangeRecord(id: 3, createdAt: when, gun: Self.gun, version: 1, sha256: String(repeating: "a", count: 64), category: "update"),
                       ChangeRecord(id: 9, createdAt: when, gun: Self.gun, version: 0, sha256: "", category: "deletion")]
        try store.restoreChanges(records)
        let read = try store.changes(gun: nil, changeID: 0, records: 10)
        #expect(read.map(\.id) == [3, 9] && read.map(\.category) == ["update", "deletion"] && read[0].createdAt == when)
        let refused = #expect(throws: StorageError.self) {
            try store.restoreChanges([ChangeRecord(id: 9, createdAt: when, gun: Self.gun, version: 2, sha256: "", category: "update")])
        }
        #expect(refused?.kind == .versionConflict)
        try store.withWriteLock(gun: Self.gun) { try store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "timestamp", version: 1, bytes: [1])]) }
        let after = try store.changes(gun: Self.gun, changeID: 9, records: 10)
        #expect(after.map(\.id) == [10], "the next change follows the highest restored ID: \(after.map(\.id))")
    }

    // MARK: The command

    /// A collection the real notary client published (with a delegation and a root rotation)
    /// through `signet serve` on a directory, copied to PostgreSQL and back to a new directory:
    /// every version, hash, time and changefeed record survives, and the notary client reads it
    /// unchanged from `signet serve` on the copy.
    @Test func copyToPostgresAndBack() throws {
        guard FileManager.default.isExecutableFile(atPath: NotaryCLI.binary) else { Issue.record("notary missing (Debian package notary)"); return }
        let (cluster, database) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let original = scratch.path + "/original"
        let trust = scratch.path + "/trust"
        var expectedList = ""
        do {
            let server = try ServerProcess(storage: original)
            defer { server.stop() }
            let client = NotaryCLI(server: server.baseURL, trustDir: trust)
            for name in ["01-init", "03-publish-initial", "04-add-file", "09-publish-targets", "16-delegation-add", "17-key-import-delegation",
                         "19-publish-delegation", "21-add-to-delegation", "23-publish-delegated", "28-key-rotate-root"] {
                let transcript = try CLITranscript.load(name)
                let result = try client.run(transcript.arguments, stdin: transcript.stdinData)
                try #require(result.status == 0, "\(name): \(result.stdout) \(result.stderr)")
            }
            expectedList = try client.run(["list", Self.gun]).stdout
        }
        // The passphrase ServerProcess gives signet serve: the server keys are copied sealed with it.
        let environment = ["SIGNET_STORAGE_PASSWORD": cluster.password, "SIGNET_SOURCE_STORAGE_PASSWORD": cluster.password,
                           "SIGNET_SERVER_KEY_PASSPHRASE": "test-server-passphrase"]
        let toDatabase = try runCommand(try Paths.signetBinary(), ["storage", "copy", "--from", original, "--to", database.url, "--json"], environment: environment)
        try #require(toDatabase.status == 0, "\(toDatabase.stdout) \(toDatabase.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(toDatabase.stdout.utf8)) as? [String: Any])
        let collections = try #require(document["collections"] as? [[String: Any]])
        #expect(collections.count == 1 && collections.first?["gun"] as? String == Self.gun)
        #expect((collections.first?["verified"] as? String)?.contains("root v2") == true, "\(collections)")
        #expect(collections.first?["serverKeysCopied"] as? Int == 1, "the timestamp key: \(collections)")
        #expect(!toDatabase.stdout.contains(cluster.password) && !toDatabase.stderr.contains(cluster.password))

        let copy = scratch.path + "/copy"
        let back = try runCommand(try Paths.signetBinary(), ["storage", "copy", "--from", database.url, "--to", copy], environment: environment)
        try #require(back.status == 0, "\(back.stdout) \(back.stderr)")
        #expect(back.stdout.contains("copied \(Self.gun): ") && back.stdout.contains("; verified root v2"), "\(back.stdout)")

        // Every version of every role, its hash and its time; the changefeed with its IDs.
        let before = try FileStore(directory: original), middle = try PostgresStore(parameters: database), after = try FileStore(directory: copy)
        let history = try before.history(gun: Self.gun)
        #expect(history.count > 10 && Set(history.map(\.role)) == ["root", "targets", "snapshot", "timestamp", "targets/releases"])
        for store in [middle, after] as [any MetadataStore] {
            let copied = try store.history(gun: Self.gun)
            #expect(copied.map { "\($0.role) \($0.version) \($0.sha256)" } == history.map { "\($0.role) \($0.version) \($0.sha256)" })
            for (a, b) in zip(history, copied) { #expect(abs(a.created.timeIntervalSince(b.created)) < 0.002, "\(a.role) v\(a.version)") }
            for entry in history {
                #expect(try store.version(gun: Self.gun, role: entry.role, version: entry.version)?.bytes
                        == (try before.version(gun: Self.gun, role: entry.role, version: entry.version)?.bytes))
                #expect(try store.byHash(gun: Self.gun, role: entry.role, sha256Hex: entry.sha256)?.version == entry.version)
            }
            let feed = try store.changes(gun: nil, changeID: 0, records: 1000), originalFeed = try before.changes(gun: nil, changeID: 0, records: 1000)
            #expect(feed.map(\.id) == originalFeed.map(\.id) && feed.map(\.sha256) == originalFeed.map(\.sha256) && !feed.isEmpty)
        }

        let keys = try FileKeyStore(directory: original + "/keys", algorithm: .ed25519, passphrase: "test-server-passphrase").storedKeys(gun: Self.gun)
        let copiedKeys = try FileKeyStore(directory: copy + "/keys", algorithm: .ed25519, passphrase: "test-server-passphrase").storedKeys(gun: Self.gun)
        #expect(keys.count == 1 && copiedKeys.map { [$0.role, $0.keyID] } == keys.map { [$0.role, $0.keyID] }
                && copiedKeys.map(\.encryptedPEM) == keys.map(\.encryptedPEM), "the key, sealed as it was")

        // Served from the copy, the publisher's client (with its cached metadata) and a new one read
        // it unchanged, and a publish is signed with the copied timestamp key.
        let server = try ServerProcess(storage: copy)
        defer { server.stop() }
        let publisher = NotaryCLI(server: server.baseURL, trustDir: trust)
        let consumer = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/consumer")
        for client in [publisher, consumer] {
            let list = try client.run(["list", Self.gun])
            #expect(list.status == 0 && list.stdout == expectedList, "\(list.stdout) \(list.stderr)")
        }
        #expect(try publisher.run(["add", Self.gun, "after-copy", "fixtures/notary-0.7/inputs/hello.txt"]).status == 0)
        let published = try publisher.run(["publish", Self.gun])
        #expect(published.status == 0, "\(published.stdout) \(published.stderr)")
        #expect(try consumer.run(["list", Self.gun]).stdout.contains("after-copy"))
    }

    /// A destination that already holds data is refused (exit 2, one line saying so) and left as
    /// it was; so is a source directory that is not a store; an unreachable database is exit 3.
    @Test func refusals() throws {
        let (cluster, database) = try database()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let source = scratch.path + "/source", destination = scratch.path + "/destination"
        let sourceStore = try FileStore(directory: source)
        try sourceStore.restore(gun: Self.gun, files: [file("root", 1)])
        let destinationStore = try FileStore(directory: destination)
        try destinationStore.restore(gun: "example.com/other", files: [file("root", 1, "theirs")])
        let environment = ["SIGNET_STORAGE_PASSWORD": cluster.password]
        let signet = try Paths.signetBinary()

        let occupied = try runCommand(signet, ["storage", "copy", "--from", source, "--to", destination], environment: environment)
        #expect(occupied.status == 2 && occupied.stderr.contains("the destination already holds collections"), "\(occupied.stderr)")
        #expect(occupied.stderr.split(separator: "\n").count == 1)
        #expect(try destinationStore.collections() == ["example.com/other"])
        #expect(try destinationStore.current(gun: "example.com/other", role: "root")?.bytes == Array("theirs".utf8))

        // A finished copy run again is refused the same way, not repeated.
        let first = try runCommand(signet, ["storage", "copy", "--from", source, "--to", database.url], environment: environment)
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        let again = try runCommand(signet, ["storage", "copy", "--from", source, "--to", database.url, "--json"], environment: environment)
        #expect(again.status == 2 && again.stdout.contains("\"exitCode\":2") && again.stdout.contains("already holds"), "\(again.stdout)")

        // Server keys are copied sealed: a destination whose passphrase does not open them is refused.
        _ = try FileKeyStore(directory: source + "/keys", algorithm: .ed25519, passphrase: "the-source-passphrase").create(gun: Self.gun, role: "timestamp")
        let wrongPassphrase = try runCommand(signet, ["storage", "copy", "--from", source, "--to", scratch.path + "/keyed"],
                                             environment: ["SIGNET_SERVER_KEY_PASSPHRASE": "another-passphrase"])
        #expect(wrongPassphrase.status == 2 && wrongPassphrase.stderr.contains("does not open with the destination's key passphrase"), "\(wrongPassphrase.stderr)")
        let noPassphrase = try runCommand(signet, ["storage", "copy", "--from", source, "--to", scratch.path + "/keyed2"])
        #expect(noPassphrase.status == 2 && noPassphrase.stderr.contains("set SIGNET_SERVER_KEY_PASSPHRASE"), "\(noPassphrase.stderr)")

        let notAStore = try runCommand(signet, ["storage", "copy", "--from", scratch.path + "/typo", "--to", scratch.path + "/new"])
        #expect(notAStore.status == 2 && notAStore.stderr.contains("is not a Signet storage directory"), "\(notAStore.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/typo"), "the mistyped source was created")

        let unreachable = try runCommand(signet, ["storage", "copy", "--from", source, "--to", "postgresql:///nothing?host=\(scratch.path)/no-socket&user=signet"])
        #expect(unreachable.status == 3 && unreachable.stderr.contains("storage unavailable"), "\(unreachable.stderr)")
    }

    func database() throws -> (PostgresCluster, PostgresConnectionParameters) {
        guard let cluster = PostgresCluster.current else { throw TestFailure("no PostgreSQL cluster (Debian package postgresql)") }
        return (cluster, try cluster.makeDatabase())
    }
}
