import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: a delegated role reached through two delegators (the "diamond") borrows the authority
/// of the first path on the second. `release` is delegated by `parent-a` for `team-a/*` and by
/// `parent-b` for `team-b/*`, each with its own key; the repository signs `release` with parent A's
/// key only, and lists a malicious `team-b/` target in it. A client that caches `release` by name
/// after verifying it through `parent-a` then trusts it through `parent-b` too. python-tuf and
/// go-tuf do (the TUF conformance suite's `test_cached_role_is_verified_against_current_delegator`,
/// their only expected failure); Signet verifies a role against the delegator of each path.
@Suite("Attack: diamond delegation")
struct TUF1DelegationAttackTests {
    let now = TUFTime(Date())

    func diamond() throws -> (TUF1TestRepository, TUF1MemoryStore) {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        try repository.delegate("parent-a", from: "targets", paths: ["team-a/*"])
        try repository.delegate("parent-b", from: "targets", paths: ["team-b/*"])
        let keyA = try repository.delegate("release", from: "parent-a", paths: ["team-a/*"])
        try repository.delegate("release", from: "parent-b", paths: ["team-b/*"])
        repository.signers["release"] = [keyA]
        repository.addTarget("team-a/trusted_root.json", Array("trusted A".utf8), to: "release")
        repository.addTarget("team-b/trusted_root.json", Array("malicious B".utf8), to: "release")
        repository.publish(["release", "parent-a", "parent-b", "targets", "snapshot", "timestamp"])
        return (repository, store)
    }

    @Test("in one process: found through parent-a, refused through parent-b")
    func oneProcess() throws {
        let (repository, store) = try diamond()
        let updater = TUF1Updater(local: store, remote: repository, now: now)
        #expect(try updater.targetInfo("team-a/trusted_root.json")?.role == "release")
        do {
            _ = try updater.targetInfo("team-b/trusted_root.json")
            Issue.record("release was trusted through parent-b, whose key did not sign it")
        } catch let error as TUFError {
            #expect(error.code == .threshold)
            #expect(error.message.contains("release as parent-b delegates it"), "\(error.message)")
        }
    }

    @Test("in a later process, the stored release (verified through parent-a) is not trusted through parent-b")
    func laterProcess() throws {
        let (repository, store) = try diamond()
        _ = try TUF1Updater(local: store, remote: repository, now: now).targetInfo("team-a/trusted_root.json")
        #expect(store.files["release"] != nil)
        let later = TUF1Updater(local: store, remote: repository, now: now)
        #expect(throws: TUFError.self) { _ = try later.targetInfo("team-b/trusted_root.json") }
    }

    @Test("a delegated role cannot sign targets outside its delegator's paths: they are never searched")
    func outsidePaths() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        try repository.delegate("docs", from: "targets", paths: ["docs/*"])
        repository.addTarget("bin/tool", Array("evil".utf8), to: "docs")
        repository.publish(["docs", "targets", "snapshot", "timestamp"])
        #expect(try TUF1Updater(local: store, remote: repository, now: now).targetInfo("bin/tool") == nil)
    }
}
