import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// The TUF 1.0 client workflow (TUF 1.0 §5) against repositories built in the test with real keys:
/// the rules the TUF conformance suite checks, so that a regression shows without Python.
@Suite("TUF 1.0 update workflow")
struct TUF1UpdaterTests {
    let now = TUFTime(Date())

    func refresh(_ repository: TUF1TestRepository, _ store: TUF1MemoryStore, at instant: TUFTime? = nil) throws -> TUF1Updater {
        let updater = TUF1Updater(local: store, remote: repository, now: instant ?? now)
        try updater.refresh()
        return updater
    }

    func failure(_ body: () throws -> Void) -> TUFError? {
        do { try body() } catch let error as TUFError { return error } catch { Issue.record("unexpected error \(error)") }
        return nil
    }

    @Test("a first refresh fetches 2.root.json, timestamp, 1.snapshot and 1.targets, and stores the bytes as served")
    func basicRefresh() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        _ = try refresh(repository, store)
        #expect(repository.requests == ["2.root.json", "timestamp.json", "1.snapshot.json", "1.targets.json"])
        for role in ["timestamp", "snapshot", "targets"] { #expect(store.files[role] == repository.published[role]!.last!) }
    }

    @Test("without consistent snapshots, snapshot and targets are fetched without a version prefix")
    func plainNames() throws {
        let repository = try TUF1TestRepository()
        repository.consistentSnapshot = false
        repository.publish(["root"])
        let store = TUF1MemoryStore(root: repository.initialRoot)
        _ = try refresh(repository, store)
        #expect(repository.requests == ["2.root.json", "3.root.json", "timestamp.json", "snapshot.json", "targets.json"])
    }

    @Test("a root that does not carry its own threshold is refused before anything is fetched")
    func unsignedTrustedRoot() throws {
        let repository = try TUF1TestRepository()
        var root = try TUF1Metadata.parse(repository.initialRoot, role: "root", maxLength: 1 << 20)
        root.signatures = root.signatures.map { TUF1Signature(keyID: $0.keyID, sig: String(repeating: "ab", count: 64)) }
        let bytes = try TUF1TestRepository.encode(.object(["signed": root.signed, "signatures": .array(root.signatures.map {
            .object(["keyid": .string($0.keyID), "sig": .string($0.sig)]) })]))
        let error = failure { _ = try refresh(repository, TUF1MemoryStore(root: bytes)) }
        #expect(error?.code == .threshold)
        #expect(repository.requests.isEmpty)
    }

    @Test("root rotation needs the trusted root's threshold and the new root's own; N.root.json must be version N")
    func rootRotation() throws {
        // Signed by the new key only: the old root's threshold is not met.
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        try repository.rotate("root")
        repository.publish(["root"])
        #expect(failure { _ = try refresh(repository, store) }?.message.contains("not signed by the keys of trusted root v1") == true)
        #expect(store.versions["root"] == 1)

        // Signed by old and new: accepted, stored.
        let second = try TUF1TestRepository()
        let secondStore = TUF1MemoryStore(root: second.initialRoot)
        let old = second.signers["root"]!
        try second.rotate("root")
        second.signers["root"]! += old
        second.publish(["root"])
        _ = try refresh(second, secondStore)
        #expect(secondStore.versions["root"] == 2)

        // Signed by the old key only: the new root's own threshold is not met.
        let third = try TUF1TestRepository()
        let thirdStore = TUF1MemoryStore(root: third.initialRoot)
        let oldKeys = third.signers["root"]!
        try third.rotate("root")
        third.signers["root"] = oldKeys
        third.publish(["root"])
        #expect(failure { _ = try refresh(third, thirdStore) }?.message.contains("not signed by its own root keys") == true)

        // 2.root.json holding version 3.
        let fourth = try TUF1TestRepository()
        let fourthStore = TUF1MemoryStore(root: fourth.initialRoot)
        fourth.versions["root"] = 3
        fourth.published["root"]!.append(try TUF1TestRepository.file(fourth.signed("root"), keys: fourth.signers["root"]!))
        let error = failure { _ = try refresh(fourth, fourthStore) }
        #expect(error?.code == .rollback)
        #expect(error?.message == "2.root.json has version 3, expected 2")
    }

    @Test("an expired final root is refused after it is stored (freeze attack, §5.3.10)")
    func expiredRoot() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.roleExpires["root"] = now.adding(seconds: -86400)
        repository.publish(["root"])
        let error = failure { _ = try refresh(repository, store) }
        #expect(error?.code == .expired)
        #expect(store.versions["root"] == 2)
        #expect(store.files["timestamp"] == nil)
    }

    @Test("an expired local root is replaced by a newer one judged at the same instant")
    func expiredLocalRoot() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.roleExpires["root"] = now.adding(seconds: 7 * 86400)
        repository.publish(["root"])
        _ = try refresh(repository, store)
        repository.roleExpires["root"] = now.adding(seconds: 21 * 86400)
        repository.publish(["root"])
        _ = try refresh(repository, store, at: now.adding(seconds: 18 * 86400))
        #expect(store.versions["root"] == 3)
    }

    @Test("timestamp: a lower version is refused, an equal one keeps the trusted file, an expired one is not stored")
    func timestampRules() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.publish(["timestamp"])
        _ = try refresh(repository, store)
        let trusted = store.files["timestamp"]
        // Same version, other content.
        repository.timestampSnapshot = .object(["version": .int(100)])
        repository.published["timestamp"]![1] = try TUF1TestRepository.file(repository.signed("timestamp"), keys: repository.signers["timestamp"]!)
        _ = try refresh(repository, store)
        #expect(store.files["timestamp"] == trusted)
        // Lower version.
        repository.published["timestamp"] = [repository.published["timestamp"]![0]]
        repository.versions["timestamp"] = 1
        let error = failure { _ = try refresh(repository, store) }
        #expect(error?.code == .rollback)
        #expect(error?.message == "timestamp version 1 is below the trusted version 2")
        // Expired.
        let fresh = try TUF1TestRepository()
        let freshStore = TUF1MemoryStore(root: fresh.initialRoot)
        _ = try refresh(fresh, freshStore)
        fresh.roleExpires["timestamp"] = now.adding(seconds: -5 * 86400)
        fresh.publish(["timestamp"])
        #expect(failure { _ = try refresh(fresh, freshStore) }?.code == .expired)
        #expect(freshStore.versions["timestamp"] == 1)
    }

    @Test("snapshot: no targets file it listed may be dropped or rolled back; its hash must match timestamp's")
    func snapshotRules() throws {
        let repository = try TUF1TestRepository()
        repository.computeHashes = true
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.publish(["targets", "snapshot", "timestamp"])
        _ = try refresh(repository, store)
        // Roll targets back to version 1.
        repository.published["targets"] = nil
        repository.versions["targets"] = 1
        repository.publish(["targets", "snapshot", "timestamp"])
        let rollback = failure { _ = try refresh(repository, store) }
        #expect(rollback?.code == .rollback)
        #expect(store.versions["snapshot"] == 2)

        let second = try TUF1TestRepository()
        second.computeHashes = true
        let secondStore = TUF1MemoryStore(root: second.initialRoot)
        try second.delegate("delegated", from: "targets")
        second.publish(["delegated", "targets", "snapshot", "timestamp"])
        _ = try refresh(second, secondStore)
        second.snapshotMeta["delegated.json"] = nil
        second.publish(["snapshot", "timestamp"])
        #expect(failure { _ = try refresh(second, secondStore) }?.message.contains("no longer lists delegated.json") == true)

        // A snapshot whose hash is not the one timestamp lists.
        second.snapshotMeta["delegated.json"] = .object(["version": .int(1)])
        second.publish(["snapshot"])
        second.timestampSnapshot = .object(["version": .int(second.versions["snapshot"]!), "hashes": .object(["sha256": .string(String(repeating: "0", count: 64))])])
        second.publish(["timestamp"])
        #expect(failure { _ = try refresh(second, secondStore) }?.code == .hashMismatch)
    }

    @Test("rotating the timestamp key lets a lower timestamp version in (fast-forward recovery, §5.3.11)")
    func fastForwardRecovery() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        for _ in 0..<9 { repository.publish(["timestamp"]) }
        _ = try refresh(repository, store)
        #expect(store.versions["timestamp"] == 10)
        try repository.rotate("timestamp")
        repository.published["timestamp"] = nil
        repository.versions["timestamp"] = 1
        repository.publish(["root", "timestamp"])
        _ = try refresh(repository, store)
        #expect(store.versions["timestamp"] == 1)
    }

    @Test("wrong _type, an unknown spec_version major and a local file stored as received")
    func typeAndSpecVersion() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.published["timestamp"]!.append(repository.published["snapshot"]!.last!)
        #expect(failure { _ = try refresh(repository, store) }?.code == .wrongType)

        let second = try TUF1TestRepository()
        second.extraFields["timestamp"] = ["spec_version": .string("2.0.0")]
        second.publish(["timestamp"])
        let error = failure { _ = try refresh(second, TUF1MemoryStore(root: second.initialRoot)) }
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("spec_version") == true)
    }

    @Test("unknown fields are part of what is signed; a key with extra members has the ID of its whole object")
    func customFields() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let key = try TUF1TestKey.generate(.ecdsa, extra: ["x-owner": .string("@someone"), "keyid_hash_algorithms": .string("md5")])
        repository.addRootKey(key, to: "snapshot")
        repository.extraFields["root"] = ["custom-field": .object(["a": .int(1)])]
        repository.publish(["root", "snapshot", "timestamp"])
        _ = try refresh(repository, store)
        #expect(store.versions["root"] == 2)
        #expect(store.versions["snapshot"] == 2)
    }

    @Test("an invalid or empty signature beside a threshold of valid ones leaves the file valid")
    func invalidSignatureBesideValid() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let file = try TUF1Metadata.parse(repository.published["timestamp"]!.last!, role: "timestamp", maxLength: 1 << 20)
        let extra = try TUF1TestKey.generate()
        let signatures: [JSONValue] = file.signatures.map { .object(["keyid": .string($0.keyID), "sig": .string($0.sig)]) }
            + [.object(["keyid": .string(extra.id), "sig": .string("")])]
        repository.addRootKey(extra, to: "timestamp", signs: false)
        repository.publish(["root"])
        repository.published["timestamp"] = [try TUF1TestRepository.encode(.object(["signed": file.signed, "signatures": .array(signatures)]))]
        _ = try refresh(repository, store)
        #expect(store.versions["timestamp"] == 1)
    }

    @Test("ed25519, ecdsa-sha2-nistp256 and rsassa-pss-sha256 keys all verify; a plausible bad signature does not")
    func keyTypes() throws {
        for algorithm in [KeyAlgorithm.ed25519, .ecdsa, .rsa] {
            let repository = try TUF1TestRepository()
            let store = TUF1MemoryStore(root: repository.initialRoot)
            let key = try TUF1TestKey.generate(algorithm)
            repository.addRootKey(key, to: "root")
            repository.rootRoles["root"]!.threshold = 2
            repository.publish(["root"])
            _ = try refresh(repository, store)
            #expect(store.versions["root"] == 2, "\(algorithm)")
            // A signature by the same key over other bytes.
            let other = try key.sign(Array("other".utf8))
            repository.publish(["root"])
            var file = try TUF1Metadata.parse(repository.published["root"]!.removeLast(), role: "root", maxLength: 1 << 20)
            file.signatures = file.signatures.map { $0.keyID == key.id ? TUF1Signature(keyID: key.id, sig: other) : $0 }
            repository.published["root"]!.append(try TUF1TestRepository.encode(.object(["signed": file.signed, "signatures": .array(file.signatures.map {
                .object(["keyid": .string($0.keyID), "sig": .string($0.sig)]) })])))
            #expect(failure { _ = try refresh(repository, store) }?.code == .threshold, "\(algorithm)")
            #expect(store.versions["root"] == 2)
        }
    }

    @Test("targets: version must be snapshot's, an unknown hash algorithm is refused, a 404 is not found")
    func targetsRules() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.addTarget("a.txt", Array("a".utf8), hashes: ["sha256", "sha512"])
        repository.targets["targets"]!["b.txt"] = .object(["length": .int(1), "hashes": .object(["md5": .string("0cc175b9c0f1b6a831c399e269772661")])])
        repository.publish(["targets", "snapshot", "timestamp"])
        let updater = try refresh(repository, store)
        let match = try #require(try updater.targetInfo("a.txt"))
        try match.file.check(Array("a".utf8), target: "a.txt", role: match.role)
        #expect(throws: TUFError.self) { try match.file.check(Array("b".utf8), target: "a.txt", role: match.role) }
        let unknown = try #require(try updater.targetInfo("b.txt"))
        let error = failure { try unknown.file.check(Array("a".utf8), target: "b.txt", role: "targets") }
        #expect(error?.message.contains("hash algorithm \"md5\"") == true)
        #expect(try updater.targetInfo("missing") == nil)

        repository.snapshotMeta["targets.json"] = .object(["version": .int(5)])
        repository.publish(["snapshot", "timestamp"])
        #expect(failure { _ = try refresh(repository, store) }?.code == .notFound)
        #expect(store.versions["snapshot"] == 3)
    }

    @Test("offline verification reads only the stored files and judges expiry at the given instant")
    func offline() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        repository.addTarget("a.txt", Array("a".utf8))
        repository.publish(["targets", "snapshot", "timestamp"])
        _ = try TUF1Updater(local: store, remote: repository, now: now).targetInfo("a.txt")
        repository.requests = []
        let offline = TUF1Updater(local: store, remote: nil, now: now)
        #expect(try offline.targetInfo("a.txt")?.role == "targets")
        #expect(repository.requests.isEmpty)
        let late = TUF1Updater(local: store, remote: nil, now: now.adding(seconds: 31 * 86400))
        #expect(failure { _ = try late.targetInfo("a.txt") }?.code == .expired)
    }
}
