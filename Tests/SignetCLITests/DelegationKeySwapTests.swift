import Foundation
import Testing

/// Issue 10 §2 (notary#1500): swapping the key of `targets/releases` — key1 signs 1.0, key2 is
/// added, key1 removed — leaves the server's `targets/releases` signed only by a key the role no
/// longer lists. Publishing 2.0 with key2 used to re-create the role as version 1 and be refused
/// forever (`VERSION: A newer version of metadata is already available`), with `witness` no help.
/// Now the publish is refused before anything is uploaded, saying that 1.0 must be re-signed, and
/// `witness` re-signs the role's content with key2 past the server's version.
@Suite(.serialized) struct DelegationKeySwapTests {
    static let gun = "example.com/key-swap/app"
    static let digestA = "sha256:" + String(repeating: "a1", count: 32)
    static let digestB = "sha256:" + String(repeating: "b2", count: 32)

    @Test(arguments: TrustServerKind.allCases)
    func swappedDelegationKeyKeepsTheRoleAndWitnessRecoversIt(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let publisher = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]

        func signet(_ arguments: [String], _ options: [String]? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, arguments + (options ?? publisher), environment: CLI.passphrases)
        }
        @discardableResult
        func succeed(_ arguments: [String], _ options: [String]? = nil) throws -> CLI.Result {
            let result = try signet(arguments, options)
            #expect(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        func newKey(_ name: String) throws -> (file: String, id: String) {
            let prefix = work.appendingPathComponent(name).path
            let generated = try succeed(["key", "generate", "--role", "targets/releases", "-o", prefix])
            let id = try #require(generated.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
            try succeed(["key", "import", prefix + "-key.pem", "--role", "targets/releases"])
            return (prefix + ".pem", id)
        }

        try succeed(["init", Self.gun])
        try succeed(["publish", Self.gun])
        let key1 = try newKey("key1")
        try succeed(["delegation", "add", Self.gun, "targets/releases", key1.file, "--all-paths"])
        try succeed(["publish", Self.gun])
        try succeed(["add", Self.gun, "1.0", "--digest", Self.digestA, "--size", "10", "--role", "targets/releases"])
        try succeed(["publish", Self.gun])
        let key2 = try newKey("key2")
        try succeed(["delegation", "add", Self.gun, "targets/releases", key2.file])
        try succeed(["publish", Self.gun])
        try succeed(["delegation", "remove", Self.gun, "targets/releases", key1.id])
        try succeed(["publish", Self.gun])

        // 2.0 into the role: refused before upload, saying what is untrusted and how to keep it.
        try succeed(["add", Self.gun, "2.0", "--digest", Self.digestB, "--size", "20", "--role", "targets/releases"])
        let refused = try signet(["publish", Self.gun])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(!refused.stderr.contains("newer version"), "\(refused.stderr)")
        #expect(refused.stderr.contains("targets/releases") && refused.stderr.contains("1.0")
                && refused.stderr.contains("signet witness \(Self.gun) targets/releases"), "\(refused.stderr)")
        #expect(try signet(["status", Self.gun]).stdout.contains("2.0"))

        // witness re-signs the role's content (1.0) with key2 and the staged 2.0 goes with it.
        try succeed(["witness", Self.gun, "targets/releases"])
        try succeed(["publish", Self.gun])

        let consumer = ["-d", work.appendingPathComponent("consumer").path, "-s", server.url]
        let list = try succeed(["list", Self.gun, "--role", "targets/releases"], consumer)
        #expect(list.stdout.contains("1.0") && list.stdout.contains("2.0"), "\(list.stdout)")
        let verified = try succeed(["verify", "\(Self.gun):1.0", "--delegation", "targets/releases"], consumer)
        #expect(verified.stdout.contains(Self.digestA), "\(verified.stdout)")
        // Later publishes into the role keep working.
        try succeed(["add", Self.gun, "3.0", "--digest", Self.digestB, "--size", "30", "--role", "targets/releases"])
        try succeed(["publish", Self.gun])
        #expect(try succeed(["list", Self.gun, "--role", "targets/releases"], consumer).stdout.contains("3.0"))
    }
}
