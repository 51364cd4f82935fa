import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Target search through TUF 1.0 delegations (TUF 1.0 §5.6.7): pre-order depth-first, listed
/// order, terminating delegations, paths as globs, hash prefixes, succinct hash bins (TAP 15).
@Suite("TUF 1.0 delegations")
struct TUF1DelegationTests {
    let now = TUFTime(Date())

    /// Builds the delegations (delegator, role, paths, terminating), publishes, and returns the
    /// delegated roles fetched while searching for `target`.
    func visited(_ graph: [(String, String, [String], Bool)], searching target: String) throws -> [String] {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        var changed: [String] = []
        for (delegator, role, paths, terminating) in graph {
            try repository.delegate(role, from: delegator, paths: paths, terminating: terminating)
            changed += [role, delegator]
        }
        var seen = Set<String>()
        repository.publish(changed.filter { seen.insert($0).inserted } + ["snapshot", "timestamp"])
        let updater = TUF1Updater(local: store, remote: repository, now: now)
        #expect(try updater.targetInfo(target) == nil)
        return repository.requests.dropFirst(4).map { String($0.dropFirst(2).dropLast(5)) }
    }

    @Test("pre-order depth-first in listed order; each role once; a terminating role ends the search after its subtree")
    func searchOrder() throws {
        #expect(try visited([("targets", "A", ["*"], false), ("targets", "B", ["*"], false), ("A", "C", ["*"], false), ("A", "D", ["*"], false)],
                            searching: "missing") == ["A", "C", "D", "B"])
        #expect(try visited([("targets", "A", ["*"], false), ("targets", "B", ["*"], false), ("B", "C", ["*"], false),
                             ("C", "D", ["*"], false), ("D", "B", ["*"], false)], searching: "missing") == ["A", "B", "C", "D"])
        #expect(try visited([("targets", "A", ["*"], false), ("targets", "B", ["*"], false), ("A", "C", ["*"], true), ("A", "D", ["*"], false)],
                            searching: "missing") == ["A", "C"])
        #expect(try visited([("targets", "A", ["*.py"], false), ("targets", "B", ["*"], false), ("A", "C", ["*"], false)],
                            searching: "missing") == ["B"])
        #expect(try visited([("targets", "A", ["*"], false), ("targets", "B", ["*"], false), ("B", "C", ["*"], false), ("A", "C", ["*.py"], false)],
                            searching: "missing") == ["A", "B", "C"])
    }

    @Test("a role the delegator names but snapshot does not list is not trusted and not fetched")
    func notInSnapshot() throws {
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        try repository.delegate("delegated", from: "targets", paths: ["delegatedpath/*"])
        repository.publish(["delegated", "targets"])
        repository.snapshotMeta["delegated.json"] = nil
        repository.publish(["snapshot", "timestamp"])
        let updater = TUF1Updater(local: store, remote: repository, now: now)
        #expect(throws: TUFError.self) { _ = try updater.targetInfo("delegatedpath/foo") }
        #expect(!repository.requests.contains { $0.contains("delegated") })
        #expect(store.files["delegated"] == nil)
    }

    @Test("path patterns: * and ? stay within a segment, segments must line up, matching is case-sensitive, [sets]")
    func pathPatterns() {
        #expect(TUF1PathPattern.matches("README.md", pattern: "*.md"))
        #expect(!TUF1PathPattern.matches("releases/README.md", pattern: "*.md"))
        #expect(TUF1PathPattern.matches("releases/x/x_v1", pattern: "releases/*/*"))
        #expect(!TUF1PathPattern.matches("releases/x", pattern: "releases/*/*"))
        #expect(TUF1PathPattern.matches("foo-1.tgz", pattern: "foo-?.tgz"))
        #expect(!TUF1PathPattern.matches("foo-alpha.tgz", pattern: "foo-?.tgz"))
        #expect(!TUF1PathPattern.matches("README.MD", pattern: "*.md"))
        #expect(TUF1PathPattern.matches("v3", pattern: "v[0-9]"))
        #expect(!TUF1PathPattern.matches("vx", pattern: "v[0-9]"))
        #expect(TUF1PathPattern.matches("vx", pattern: "v[!0-9]"))
        #expect(TUF1PathPattern.matches("a[b", pattern: "a[b"))
        #expect(TUF1PathPattern.matches("anything", pattern: "*"))
        #expect(!TUF1PathPattern.matches("a/b", pattern: "*"))
        #expect(TUF1PathPattern.matches("", pattern: "*"))
        // No exponential backtracking on a hostile pattern.
        #expect(!TUF1PathPattern.matches(String(repeating: "a", count: 5000), pattern: String(repeating: "*a", count: 200) + "b"))
    }

    @Test("path_hash_prefixes and succinct hash bins pick roles by the SHA-256 of the target path")
    func hashBins() throws {
        let path = "team/file.txt"
        let digest = Hex.encode(Digest.sha256(Array(path.utf8)))
        let repository = try TUF1TestRepository()
        let store = TUF1MemoryStore(root: repository.initialRoot)
        try repository.delegate("other", from: "targets", paths: nil, hashPrefixes: [digest.hasPrefix("0") ? "1" : "0"])
        try repository.delegate("bin", from: "targets", paths: nil, hashPrefixes: [String(digest.prefix(2))])
        repository.addTarget(path, Array("x".utf8), to: "bin")
        repository.publish(["bin", "other", "targets", "snapshot", "timestamp"])
        let found = try TUF1Updater(local: store, remote: repository, now: now).targetInfo(path)
        #expect(found?.role == "bin")
        #expect(!repository.requests.contains { $0.contains("other") })

        // Succinct: bit_length 8 → 256 bins "bins-00" … "bins-ff"; the bin is the first byte of the hash.
        let succinct = try TUF1TestRepository()
        let succinctStore = TUF1MemoryStore(root: succinct.initialRoot)
        let key = try TUF1TestKey.generate()
        succinct.delegationKeys["targets"] = [key.id: key.json]
        let bin = "bins-" + String(digest.prefix(2))
        succinct.extraFields["targets"] = ["delegations": .object(["keys": .object([key.id: key.json]), "succinct_roles": .object([
            "keyids": .array([.string(key.id)]), "threshold": .int(1), "bit_length": .int(8), "name_prefix": .string("bins")])])]
        succinct.targets[bin] = [:]
        succinct.signers[bin] = [key]
        succinct.addTarget(path, Array("x".utf8), to: bin)
        succinct.publish([bin, "targets", "snapshot", "timestamp"])
        let match = try TUF1Updater(local: succinctStore, remote: succinct, now: now).targetInfo(path)
        #expect(match?.role == bin)
    }

    @Test("role names and target paths become single percent-encoded file names")
    func names() throws {
        #expect(TUF1Names.metadataFileName("?") == "%3F.json")
        #expect(TUF1Names.metadataFileName("../delegatedrole", version: 2) == "2...%2Fdelegatedrole.json")
        #expect(TUF1Names.metadataFileName("/x") == "%2Fx.json")
        #expect(TUF1Names.metadataFileName("registry.npmjs.org", version: 5) == "5.registry.npmjs.org.json")
        #expect(try TUF1Names.targetFileName("path/to/a.txt") == "path%2Fto%2Fa.txt")
        #expect(try TUF1Names.targetFileName("..") == "%2E.")
        #expect(try TUF1Names.targetFileName(".hidden") == "%2Ehidden")
        #expect(throws: TUFError.self) { try TUF1Names.targetFileName("") }
        #expect(throws: TUFError.self) { try TUF1Names.targetFileName(String(repeating: "/", count: 100)) }
        #expect(TUF1Names.targetURLPath("a b/c.txt", hashPrefix: "abc") == "a%20b/abc.c.txt")
    }

    @Test("a delegation named after a top-level role, or listed twice, is refused")
    func badDelegationNames() throws {
        for (names, reason) in [(["snapshot"], "a top-level role's name"), (["a", "a"], "delegates to a twice")] {
            let repository = try TUF1TestRepository()
            let store = TUF1MemoryStore(root: repository.initialRoot)
            for name in names { try repository.delegate(name, from: "targets") }
            repository.publish(["targets", "snapshot", "timestamp"])
            do {
                try TUF1Updater(local: store, remote: repository, now: now).refresh()
                Issue.record("\(names) accepted")
            } catch let error as TUFError {
                #expect(error.message.contains(reason), "\(error.message)")
            }
        }
    }
}
