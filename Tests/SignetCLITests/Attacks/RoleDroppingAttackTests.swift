import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: role dropping, end to end (issue 9, hole 5). The holder of the snapshot key — here the
/// publisher's key file; in Docker's default mode the server — uploads a new snapshot that leaves
/// out `targets/releases`. `signet serve` accepts it (as notary-server does: it checks only the
/// roles a publish changes), so the client must refuse: a consumer that verified the tag from
/// `targets/releases` must not now get the older digest `targets` still lists. python-tuf refuses
/// the same way ("Snapshot does not contain information for role"); the rollback class of
/// CVE-2021-41131.
@Suite("Attack: role dropping") struct RoleDroppingCLIAttackTests {
    static let gun = "example.com/attack/dropping"
    static let older = "sha256:" + String(repeating: "a", count: 64)
    static let newer = "sha256:" + String(repeating: "b", count: 64)

    @Test func verifyRefusesASnapshotThatDropsTargetsReleases() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work)
        defer { _ = server.stop() }
        let publisherDir = work.appendingPathComponent("publisher")
        let publisher = ["-d", publisherDir.path, "-s", server.url]
        let consumer = ["-d", work.appendingPathComponent("consumer").path, "-s", server.url]
        func signet(_ args: [String], _ opts: [String]) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + opts, environment: CLI.passphrases)
        }
        func succeed(_ args: [String], _ opts: [String]) throws {
            let result = try signet(args, opts)
            try #require(result.status == 0, "signet \(args.joined(separator: " ")): \(result.stderr)")
        }

        // 1.0 → older in targets; then targets/releases, where 1.0 → newer.
        try succeed(["init", Self.gun], publisher)
        try succeed(["add", Self.gun, "1.0", "--digest", Self.older, "--size", "10"], publisher)
        try succeed(["publish", Self.gun], publisher)
        let prefix = work.appendingPathComponent("releases").path
        try succeed(["key", "generate", "--role", "targets/releases", "-o", prefix], publisher)
        try succeed(["key", "import", prefix + "-key.pem", "--role", "targets/releases"], publisher)
        try succeed(["delegation", "add", Self.gun, "targets/releases", prefix + ".pem", "--all-paths"], publisher)
        try succeed(["publish", Self.gun], publisher)
        try succeed(["add", Self.gun, "1.0", "--digest", Self.newer, "--size", "11", "--role", "targets/releases"], publisher)
        try succeed(["publish", Self.gun], publisher)

        let trusted = try signet(["verify", "\(Self.gun):1.0"], consumer)
        #expect(trusted.status == 0 && trusted.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == Self.newer, "\(trusted.stdout) \(trusted.stderr)")

        // The snapshot key's holder signs snapshot v+1 without targets/releases and uploads it.
        let current = try CLI.run("/usr/bin/curl", ["-sf", "\(server.url)/v2/\(Self.gun)/_trust/tuf/snapshot.json"])
        try #require(current.status == 0)
        var snapshot = try Snapshot(signed: MetadataFile.parse(Array(current.stdout.utf8), role: "snapshot").signed)
        #expect(snapshot.meta["targets/releases"] != nil)
        snapshot.meta["targets/releases"] = nil
        snapshot.version += 1
        let snapshotKey = try Self.storedKey(publisherDir, role: "snapshot", passphrase: CLI.passphrases["SIGNET_SNAPSHOT_PASSPHRASE"]!)
        let signed = try MetadataSigner.sign(snapshot.json, with: [(TUFKey(publicKey: snapshotKey.publicKey), snapshotKey)]).serialized()
        let file = work.appendingPathComponent("snapshot.json")
        try Data(signed).write(to: file)
        let upload = try CLI.run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-F", "files=@\(file.path);filename=snapshot",
                                                   "\(server.url)/v2/\(Self.gun)/_trust/tuf/"])
        #expect(upload.stdout == "200", "upload: \(upload.stdout) \(upload.stderr)")

        // The consumer that trusted targets/releases refuses; it does not fall back to `targets`.
        let refused = try signet(["verify", "\(Self.gun):1.0"], consumer)
        #expect(refused.status == 1, "\(refused.status): \(refused.stdout) \(refused.stderr)")
        #expect(!refused.stdout.contains(Self.older))
        #expect(refused.stderr.contains("snapshot v\(snapshot.version) does not list targets/releases, which targets still delegates"), "\(refused.stderr)")
        // And keeps refusing (nothing of the dropped state was cached).
        let again = try signet(["verify", "\(Self.gun):1.0"], consumer)
        #expect(again.status == 1, "\(again.stdout) \(again.stderr)")
        #expect(again.stderr.contains("snapshot v\(snapshot.version) does not list targets/releases, which targets still delegates"), "\(again.stderr)")

        // The decided limit: a client that never trusted targets/releases cannot tell it from a
        // delegation not published yet (Notary's state after `delegation add`), and is warned.
        let fresh = try signet(["verify", "\(Self.gun):1.0", "-v"], ["-d", work.appendingPathComponent("fresh").path, "-s", server.url])
        #expect(fresh.stderr.contains("targets/releases is delegated by targets but has not been published yet"), "\(fresh.stderr)")
        // `--delegation targets/releases` insists on the delegation, even for a fresh client.
        let insisted = try signet(["verify", "\(Self.gun):1.0", "--delegation", "targets/releases"], ["-d", work.appendingPathComponent("fresh2").path, "-s", server.url])
        #expect(insisted.status == 1, "\(insisted.stdout) \(insisted.stderr)")
        #expect(insisted.stderr.contains("required delegation targets/releases is not a trusted role of \(Self.gun)"), "\(insisted.stderr)")
    }

    /// The private key of `role` in a trust dir's `private/`, decrypted.
    static func storedKey(_ trustDir: URL, role: String, passphrase: String) throws -> PrivateKey {
        let directory = trustDir.appendingPathComponent("private")
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".key") {
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            for block in try PEMBlock.parseAll(text) where block.header("role") == role {
                return try PrivateKey(pemBlock: block, passphrase: passphrase)
            }
        }
        throw TestFailure("no \(role) key in \(directory.path)")
    }
}
