import Foundation
import SignetTestSupport
import Testing

/// Bulk changelist entries (issue 18): `add --from-file` / `--oci-layout` stage all their targets in
/// one `.changes` file; `status` lists them as separate changes, `reset -n` drops some, `publish`
/// applies them with the one-change files in order and removes the file; the notary client, which
/// cannot read a bulk entry, does not list it and refuses to publish over it, changing nothing
/// (docs/migrating-from-notary.md).
@Suite(.serialized) struct BulkChangelistTests {
    static let gun = "example.com/bulk-entry/app"

    static func digest(_ n: Int) -> String { "sha256:" + EndToEndTests.sha256Hex("bulk manifest \(n)") }

    struct Flow {
        let work: URL
        let server: RunningTrustServer
        var trust: URL { work.appendingPathComponent("publisher") }
        var changelist: URL { trust.appendingPathComponent("tuf/\(BulkChangelistTests.gun)/changelist") }

        func signet(_ arguments: [String], trustDir: URL? = nil, stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, arguments + ["-d", (trustDir ?? trust).path, "-s", server.url], environment: CLI.passphrases, stdin: stdin)
        }

        @discardableResult
        func succeed(_ arguments: [String], stdin: String? = nil) throws -> CLI.Result {
            let result = try signet(arguments, stdin: stdin)
            try #require(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }

        func stagedFiles() throws -> (single: Int, bulk: Int) {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: changelist.path)) ?? []
            return (names.filter { $0.hasSuffix(".change") }.count, names.filter { $0.hasSuffix(".changes") }.count)
        }

        /// The paths `status --json` lists, in order.
        func statusPaths() throws -> [String] {
            let status = try succeed(["status", BulkChangelistTests.gun, "--json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])
            return rows.compactMap { $0["path"] as? String }
        }

        /// The digest a fresh trust dir verifies for `tag`, or nil when it is not trusted.
        func verified(_ tag: String) throws -> String? {
            let fresh = work.appendingPathComponent("ci-\(UUID().uuidString)")
            let result = try signet(["verify", "\(BulkChangelistTests.gun):\(tag)", "--json"], trustDir: fresh)
            guard result.status == 0 else { return nil }
            return (try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["digest"] as? String
        }
    }

    func flow() throws -> Flow {
        let flow = Flow(work: try CLI.temporaryDirectory(), server: try TrustServerKind.signet.start())
        try flow.succeed(["init", Self.gun])
        return flow
    }

    @Test func stageStatusResetSomeAndPublish() throws {
        let flow = try flow()
        defer { flow.server.stop(); try? FileManager.default.removeItem(at: flow.work) }
        let list = (0..<200).map { "tag-\($0) \(Self.digest($0)) \(1000 + $0)" }.joined(separator: "\n")
        try flow.succeed(["add", Self.gun, "--from-file", "-"], stdin: list)
        #expect(try flow.stagedFiles() == (0, 1), "200 targets staged as one bulk file")

        let text = try flow.succeed(["status", Self.gun]).stdout
        #expect(text.contains("tag-0") && text.contains("tag-199"), "\(text)")
        #expect(try flow.statusPaths() == (0..<200).map { "tag-\($0)" })

        try flow.succeed(["reset", Self.gun, "-n", "0,5,199"])
        let left = try flow.statusPaths()
        #expect(left == (0..<200).filter { ![0, 5, 199].contains($0) }.map { "tag-\($0)" })
        #expect(try flow.stagedFiles() == (0, 1))

        try flow.succeed(["publish", Self.gun])
        #expect(try flow.stagedFiles() == (0, 0), "publish removes the bulk file")
        #expect(try flow.statusPaths().isEmpty)
        #expect(try flow.verified("tag-1") == Self.digest(1))
        #expect(try flow.verified("tag-198") == Self.digest(198))
        #expect(try flow.verified("tag-5") == nil, "a change dropped with reset -n was not published")
    }

    /// One-change files and bulk entries in one changelist apply in staging order: a later single
    /// `add` of a tag wins over the bulk entry's, and a later `remove` removes a bulk-staged tag.
    @Test func bothKindsApplyInOrder() throws {
        let flow = try flow()
        defer { flow.server.stop(); try? FileManager.default.removeItem(at: flow.work) }
        try flow.succeed(["add", Self.gun, "first", "--digest", Self.digest(900), "--size", "9"])
        try flow.succeed(["add", Self.gun, "--from-file", "-"], stdin: "first \(Self.digest(1)) 1\nsecond \(Self.digest(2)) 2\nthird \(Self.digest(3)) 3\n")
        try flow.succeed(["add", Self.gun, "second", "--digest", Self.digest(902), "--size", "9"])
        try flow.succeed(["publish", Self.gun])
        try flow.succeed(["remove", Self.gun, "third"])
        try flow.succeed(["add", Self.gun, "--from-file", "-"], stdin: "fourth \(Self.digest(4)) 4\nfifth \(Self.digest(5)) 5\n")
        #expect(try flow.stagedFiles() == (1, 1))
        #expect(try flow.statusPaths() == ["third", "fourth", "fifth"])
        try flow.succeed(["publish", Self.gun])

        #expect(try flow.verified("first") == Self.digest(1), "the bulk entry came after the single add")
        #expect(try flow.verified("second") == Self.digest(902), "the single add came after the bulk entry")
        #expect(try flow.verified("third") == nil)
        #expect(try flow.verified("fourth") == Self.digest(4))
        #expect(try flow.stagedFiles() == (0, 0))
    }

    /// The notary client reads the same trust dir: `status` lists the one-change files and not the
    /// bulk entry; `publish` stops at the bulk entry and changes nothing (docs/migrating-from-notary.md).
    @Test func notaryClientSkipsBulkEntries() throws {
        guard RequiredTool.isInstalled("/usr/bin/notary") else { return }
        let flow = try flow()
        defer { flow.server.stop(); try? FileManager.default.removeItem(at: flow.work) }
        try flow.succeed(["add", Self.gun, "single", "--digest", Self.digest(7), "--size", "7"])
        try flow.succeed(["add", Self.gun, "--from-file", "-"], stdin: "bulk-a \(Self.digest(8)) 8\nbulk-b \(Self.digest(9)) 9\n")
        let status = try CLI.run("/usr/bin/notary", ["-d", flow.trust.path, "-s", flow.server.url, "status", Self.gun])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("single"), "\(status.stdout)")
        #expect(!status.stdout.contains("bulk-a") && !status.stdout.contains("bulk-b"), "\(status.stdout)")
        let publish = try CLI.run("/usr/bin/notary", ["-d", flow.trust.path, "-s", flow.server.url, "publish", Self.gun],
                                  environment: ["NOTARY_ROOT_PASSPHRASE": CLI.passphrases["SIGNET_ROOT_PASSPHRASE"]!,
                                                "NOTARY_TARGETS_PASSPHRASE": CLI.passphrases["SIGNET_TARGETS_PASSPHRASE"]!,
                                                "NOTARY_SNAPSHOT_PASSPHRASE": CLI.passphrases["SIGNET_SNAPSHOT_PASSPHRASE"]!])
        #expect(publish.status != 0)
        #expect((publish.stdout + publish.stderr).contains("cannot unmarshal array"), "\(publish.stdout) \(publish.stderr)")
        #expect(try flow.statusPaths() == ["single", "bulk-a", "bulk-b"], "notary changed nothing")
        #expect(try flow.stagedFiles() == (1, 1))
        // signet publishes all three.
        try flow.succeed(["publish", Self.gun])
        #expect(try flow.verified("bulk-b") == Self.digest(9))
        #expect(try flow.verified("single") == Self.digest(7))
    }
}
