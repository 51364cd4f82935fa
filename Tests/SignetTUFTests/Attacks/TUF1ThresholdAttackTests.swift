import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: meeting a TUF 1.0 threshold with one key counted several times — the same signature
/// repeated, one key ID listed several times in a role, or one key's material listed under
/// several key IDs (extra members change a key object's ID, not its key): the conformance suite's
/// `test_duplicate_keys` and `test_duplicate_sig_keyids`, and the last one past them. Signet counts distinct key material (`SignatureThreshold.count`) and refuses a key listed
/// under an ID that is not its own.
@Suite("Attack: TUF 1.0 threshold")
struct TUF1ThresholdAttackTests {
    let now = TUFTime(Date())

    func refreshError(_ repository: TUF1TestRepository, _ store: TUF1MemoryStore) -> TUFError? {
        do { try TUF1Updater(local: store, remote: repository, now: now).refresh() } catch let error as TUFError { return error } catch {
            Issue.record("unexpected \(error)")
        }
        return nil
    }

    @Test("the same signature twice is refused")
    func repeatedSignature() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let file = try TUF1Metadata.parse(repository.published["snapshot"]![0], role: "snapshot", maxLength: 1 << 20)
        let signature: JSONValue = .object(["keyid": .string(file.signatures[0].keyID), "sig": .string(file.signatures[0].sig)])
        repository.published["snapshot"] = [try TUF1TestRepository.encode(.object(["signed": file.signed, "signatures": .array([signature, signature])]))]
        let error = refreshError(repository, store)
        #expect(error?.code == .malformed)
        #expect(error?.message.contains("two signatures by key") == true)
        #expect(store.files["snapshot"] == nil)
    }

    @Test("one key ID listed six times in a role is refused, not counted six times")
    func repeatedKeyID() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let key = try TUF1TestKey.generate()
        for _ in 0..<6 { repository.addRootKey(key, to: "snapshot", signs: false) }
        repository.signers["snapshot"]!.append(key)
        repository.rootRoles["snapshot"]!.threshold = 6
        repository.publish(["root", "snapshot", "timestamp"])
        let error = refreshError(repository, store)
        #expect(error?.message.contains("twice") == true, "\(String(describing: error))")
        #expect(store.files["snapshot"] == nil)
    }

    @Test("one key's material under two key IDs counts once")
    func sameMaterialTwoIDs() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let privateKey = try PrivateKey.generate(.ed25519)
        let first = try TUF1TestKey(privateKey: privateKey, extra: ["x-copy": .int(1)])
        let second = try TUF1TestKey(privateKey: privateKey, extra: ["x-copy": .int(2)])
        #expect(first.id != second.id)
        repository.rootKeys = repository.rootKeys.filter { !repository.rootRoles["snapshot"]!.keyIDs.contains($0.key) }
        repository.rootRoles["snapshot"] = ([], 2)
        repository.signers["snapshot"] = []
        repository.addRootKey(first, to: "snapshot")
        repository.addRootKey(second, to: "snapshot")
        repository.publish(["root", "snapshot", "timestamp"])
        let error = refreshError(repository, store)
        #expect(error?.code == .threshold)
        #expect(error?.message.contains("1 distinct valid key(s), threshold 2") == true, "\(String(describing: error))")
    }

    @Test("a key listed under an ID that is not the SHA-256 of its canonical form is refused")
    func mislabelledKey() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        let key = try TUF1TestKey.generate()
        let fake = String(repeating: "ab", count: 32)
        repository.rootKeys[fake] = key.json
        repository.rootRoles["snapshot"]!.keyIDs.append(fake)
        repository.publish(["root"])
        #expect(refreshError(repository, store)?.code == .badKeyID)
        #expect(store.versions["root"] == 1)
    }
}
