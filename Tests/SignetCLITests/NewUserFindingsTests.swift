import Foundation
import Testing

/// Regressions for what a first-time user ran into (fresh HOME as root, a typo in the GUN, a
/// missing input file).
@Suite struct NewUserFindingsTests {
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    @Test func defaultTrustDirFollowsHOMEEvenForRoot() throws {
        let home = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try CLI.run(CLI.signet, ["add", "example.com/home/app", "v1", "--digest", Self.digest, "--size", "1"],
                                 environment: ["HOME": home.path, "SIGNET_TRUST_DIR": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let changelist = home.appendingPathComponent(".signet/tuf/example.com/home/app/changelist")
        #expect(try FileManager.default.contentsOfDirectory(atPath: changelist.path).count == 1)
    }

    @Test func initRefusesARootCertificateForAnotherGUNAndWritesNothing() throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let keys = CLI.packageRoot.appendingPathComponent("keys-example")
        let result = try CLI.run(CLI.signet, ["init", "example.com/demo/ap", "-d", trust.path,
                                              "--root-key", keys.appendingPathComponent("root.key").path,
                                              "--root-cert", keys.appendingPathComponent("root.crt").path],
                                 environment: ["SIGNET_ROOT_PASSPHRASE": "example-root-passphrase"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("CN \"example.com/demo/app\" does not match the GUN example.com/demo/ap"), "\(result.stderr)")
        let written = (FileManager.default.enumerator(atPath: trust.path)?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".key") || $0.hasSuffix(".json") }
        #expect(written.isEmpty, "\(written)")
    }

    @Test func missingInputFileIsBadInput() throws {
        let dir = SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine").path
        let result = try SignetBinary.run(["verify", "docker.io/library/alpine:3.8", "--metadata-dir", dir, "--root-cert", "/nonexistent/root.crt"])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("/nonexistent/root.crt"))
    }

    @Test func payloadThatIsADirectoryIsBadInput() throws {
        let dir = SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine").path
        let result = try SignetBinary.run(["verify", "docker.io/library/alpine:3.8", "--metadata-dir", dir,
                                           "--at", "2018-07-25T00:00:00Z", "--payload", dir])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("Is a directory"), "\(result.stderr)")
    }
}
