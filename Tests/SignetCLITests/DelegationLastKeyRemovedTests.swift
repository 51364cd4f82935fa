import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §2: `docker trust signer remove alice IMAGE` of the last signer of `targets/releases`
/// makes the notary client upload `targets` with `"keyids":null` for the delegation (Go writes a nil
/// slice as `null`). notary-server accepts it; `signet serve` must too, and Signet's client must
/// read that collection from either server. A role with no keys cannot sign.
@Suite(.serialized) struct DelegationLastKeyRemovedTests {
    static let gun = "example.com/signer-remove/app"
    static let notaryEnv = [
        "NOTARY_ROOT_PASSPHRASE": "n-root-pass", "NOTARY_TARGETS_PASSPHRASE": "n-targets-pass",
        "NOTARY_SNAPSHOT_PASSPHRASE": "n-snap-pass", "NOTARY_DELEGATION_PASSPHRASE": "n-deleg-pass",
    ]
    static let digest = "sha256:" + String(repeating: "cd", count: 32)

    @Test(arguments: TrustServerKind.allCases)
    func notaryRemovesTheLastDelegationKeyAndSignetReadsTheCollection(_ kind: TrustServerKind) throws {
        guard RequiredTool.isInstalled("/usr/bin/notary") else { return }
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let notaryTrust = work.appendingPathComponent("notary").path
        let payload = work.appendingPathComponent("payload.txt")
        try Data("one\n".utf8).write(to: payload)
        let certs = SignetBinary.fixtures.appendingPathComponent("notary-0.7/certs")

        func notary(_ arguments: [String]) throws -> CLI.Result {
            let result = try CLI.run("/usr/bin/notary", ["-d", notaryTrust, "-s", server.url] + arguments, environment: Self.notaryEnv)
            #expect(result.status == 0, "notary \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)")
            return result
        }
        _ = try notary(["init", Self.gun])
        _ = try notary(["add", Self.gun, "1.0", payload.path])
        _ = try notary(["delegation", "add", Self.gun, "targets/releases", certs.appendingPathComponent("delegation-releases.crt").path, "--all-paths"])
        _ = try notary(["key", "import", certs.appendingPathComponent("delegation-releases.key").path, "--role", "targets/releases"])
        _ = try notary(["publish", Self.gun])
        _ = try notary(["add", Self.gun, "2.0", payload.path, "--roles", "targets/releases"])
        _ = try notary(["publish", Self.gun])
        let listed = try notary(["delegation", "list", Self.gun])
        let keyID = try #require(listed.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" })
            .first { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }.map(String.init), "\(listed.stdout)")

        // What `docker trust signer remove` does: remove the role's last key, then publish.
        _ = try notary(["delegation", "remove", Self.gun, "targets/releases", keyID])
        let published = try notary(["publish", Self.gun])
        #expect(!published.stderr.contains("JSON null"), "\(published.stderr)")

        // What the server now holds has "keyids":null.
        let stored = try CLI.run("/usr/bin/curl", ["-sf", "\(server.url)/v2/\(Self.gun)/_trust/tuf/targets.json"])
        #expect(stored.stdout.contains(#""keyids":null"#), "\(stored.stdout)")

        // Signet's client reads the collection: 1.0 from targets is trusted; 2.0 (signed only by
        // the removed key) is not, and the warning says why.
        let fresh = work.appendingPathComponent("signet").path
        let list = try CLI.run(CLI.signet, ["list", Self.gun, "-d", fresh, "-s", server.url, "-v"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("1.0"), "\(list.stdout)")
        #expect(!list.stdout.contains("2.0"), "\(list.stdout)")
        #expect(list.stderr.contains("targets/releases") && list.stderr.contains("has no keys"), "\(list.stderr)")
        let verify = try CLI.run(CLI.signet, ["verify", "\(Self.gun):1.0", "-d", fresh, "-s", server.url])
        #expect(verify.status == 0, "\(verify.stderr)")
        let refused = try CLI.run(CLI.signet, ["verify", "\(Self.gun):2.0", "-d", fresh, "-s", server.url])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("no trust data for \(Self.gun):2.0: the tag is not signed in any trusted role"), "\(refused.stderr)")

        // Signet's client signing into the keyless role from notary's trust dir: a clear refusal,
        // the change kept staged.
        let staged = try CLI.run(CLI.signet, ["add", Self.gun, "3.0", "--digest", Self.digest, "--size", "3",
                                              "--role", "targets/releases", "-d", notaryTrust, "-s", server.url])
        #expect(staged.status == 0, "\(staged.stderr)")
        let refusedPublish = try CLI.run(CLI.signet, ["publish", Self.gun, "-d", notaryTrust, "-s", server.url], environment: Self.notaryEnv)
        #expect(refusedPublish.status == 1, "\(refusedPublish.stderr)")
        #expect(refusedPublish.stderr.contains("targets/releases has no keys"), "\(refusedPublish.stderr)")
        let status = try CLI.run(CLI.signet, ["status", Self.gun, "-d", notaryTrust])
        #expect(status.stdout.contains("3.0"), "\(status.stdout)")
    }
}
