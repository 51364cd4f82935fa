import Foundation
import Testing

/// Issue 16 §3: the root to pin comes from `signet root show GUN --cert`, and a CI pin to the
/// original root keeps working after `signet key rotate GUN root` (twice): the pin is followed
/// through the signed chain `1.root.json` → `2.root.json` → `3.root.json` on a real `signet serve`.
/// A pin to an unrelated certificate is still refused, naming the versions tried.
@Suite struct RootPinRotationTests {
    static let gun = "example.com/pinned/app"
    static let digest = "sha256:" + String(repeating: "d", count: 64)

    @Test func aCIPinToTheOriginalRootFollowsTwoRootRotations() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let publisher = ["-s", server.url, "-d", work.appendingPathComponent("publisher").path]
        func signet(_ arguments: [String], _ global: [String]) throws -> CLI.Result {
            try CLI.run(CLI.signet, global + arguments, environment: CLI.passphrases)
        }
        func succeed(_ arguments: [String], _ global: [String]) throws -> CLI.Result {
            let result = try signet(arguments, global)
            try #require(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }
        func fresh() -> [String] { ["-s", server.url, "-d", work.appendingPathComponent("ci-\(UUID().uuidString)").path] }

        _ = try succeed(["init", Self.gun], publisher)
        _ = try succeed(["add", Self.gun, "1.0", "--digest", Self.digest, "--size", "123"], publisher)
        _ = try succeed(["publish", Self.gun], publisher)

        // Where the CI pin comes from: the root certificate, as PEM, and the key IDs.
        let shown = try succeed(["root", "show", Self.gun, "--cert"], fresh())
        #expect(shown.stdout.hasPrefix("-----BEGIN CERTIFICATE-----"), "\(shown.stdout)")
        let pinFile = work.appendingPathComponent("app-root.crt")
        try Data(shown.stdout.utf8).write(to: pinFile)
        let keyIDs = try succeed(["root", "show", Self.gun, "--key-ids"], fresh()).stdout.split(separator: "\n")
        let originalIDs = try #require(keyIDs.first).split(separator: " ").map(String.init)
        #expect(originalIDs.count == 2 && originalIDs.allSatisfy { $0.count == 64 }, "\(keyIDs)")
        let summary = try succeed(["root", "show", Self.gun, "--json"], fresh())
        let before = try #require(try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])
        #expect(before["version"] as? Int == 1)
        let keys = try #require(before["keys"] as? [[String: Any]])
        #expect(keys.first?["keyID"] as? String == originalIDs[0])
        #expect(keys.first?["canonicalKeyID"] as? String == originalIDs[1])
        #expect((keys.first?["certificate"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) == shown.stdout.trimmingCharacters(in: .whitespacesAndNewlines))

        _ = try succeed(["key", "rotate", Self.gun, "root"], publisher)
        _ = try succeed(["key", "rotate", Self.gun, "root"], publisher)

        // A fresh CI trust dir pinned to the original root: the chain v1 → v2 → v3 is walked.
        let verified = try succeed(["verify", "\(Self.gun):1.0", "--root-cert", pinFile.path, "--json"], fresh())
        let verdict = try #require(try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [String: Any])
        #expect(verdict["digest"] as? String == Self.digest)
        for pin in [["--root-keyid", originalIDs[0]], ["--root-keyid", originalIDs[1]], ["--root-key", pinFile.path]] {
            #expect(try signet(["verify", "\(Self.gun):1.0"] + pin, fresh()).stdout == Self.digest + "\n", "\(pin)")
        }
        let after = try succeed(["root", "show", Self.gun, "--root-cert", pinFile.path, "--json"], fresh())
        let root = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        #expect(root["version"] as? Int == 3)
        #expect(root["pinnedVersion"] as? Int == 1)
        let human = try succeed(["root", "show", Self.gun, "--root-cert", pinFile.path], fresh())
        #expect(human.stdout.contains("pin met by root v1, followed through the signed root chain to v3"), "\(human.stdout)")

        // The same CI trust dir again (root v3 cached): still pinned, still verifies.
        let reused = fresh()
        _ = try succeed(["verify", "\(Self.gun):1.0", "--root-cert", pinFile.path], reused)
        #expect(try succeed(["verify", "\(Self.gun):1.0", "--root-cert", pinFile.path], reused).stdout == Self.digest + "\n")

        // A pin to an unrelated certificate (keys-example's, another GUN's root) is refused.
        let unrelated = CLI.packageRoot.appendingPathComponent("keys-example/root.crt").path
        let refused = try signet(["verify", "\(Self.gun):1.0", "--root-cert", unrelated], fresh())
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("versions tried: v3, v2, v1"), "\(refused.stderr)")
        #expect(refused.stderr.contains("does not match the pinned certificate"), "\(refused.stderr)")
    }
}
