import Foundation
import SignetTestSupport
import Testing

/// A key file in the trust dir's `private/` that cannot be used (not PEM, no private key block,
/// unreadable) was left out without a word: `key list` did not show it and `publish` said only
/// "no signing key", though the file named after that key ID was right there. Now `key list`
/// warns naming the file and why, and publish's refusal names it too.
@Suite struct UnusableKeyFileTests {
    @Test func aDamagedKeyFileIsNamedWithItsReason() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let gun = "example.com/damaged-key/app"
        let trustDir = work.appendingPathComponent("trust")
        func signet(_ arguments: [String]) throws -> CLI.Result {
            try SignetBinary.run(arguments + ["-d", trustDir.path, "-s", server.url], environment: CLI.passphrases)
        }
        #expect(try signet(["init", gun]).status == 0)
        let keys = try #require(try JSONSerialization.jsonObject(with: Data(signet(["key", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
        let targetsID = try #require(keys.first { $0["role"] as? String == "targets" }?["id"] as? String)
        let keyFile = trustDir.appendingPathComponent("private/\(targetsID).key")
        try Data("role: targets\n\nnot a PEM block\n".utf8).write(to: keyFile)

        let listed = try signet(["key", "list"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains(targetsID), "\(listed.stdout)")
        #expect(listed.stderr.contains("signet: warning: \(keyFile.path) is not a usable key file, left out: no PEM PRIVATE KEY block"), "\(listed.stderr)")

        #expect(try signet(["add", gun, "v1", "--digest", "sha256:" + String(repeating: "ab", count: 32), "--size", "3"]).status == 0)
        let published = try signet(["publish", gun])
        #expect(published.status == 1, "\(published.stderr)")
        #expect(published.stderr.contains("no signing key for targets of \(gun): need one of \(targetsID)"), "\(published.stderr)")
        #expect(published.stderr.contains("\(keyFile.path) is not a usable key file: no PEM PRIVATE KEY block"), "\(published.stderr)")
    }
}
