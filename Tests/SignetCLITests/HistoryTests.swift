import Foundation
import Testing

/// Issue 17 §2: `signet history GUN [TAG]` lists every published version of targets and its
/// delegations — when, what changed, signed by which keys — from the by-version routes that
/// notary-server 0.7 has too, so it works against both servers.
@Suite(.serialized) struct HistoryTests {
    static let digestA = "sha256:" + String(repeating: "a1", count: 32)
    static let digestB = "sha256:" + String(repeating: "b2", count: 32)
    static let digestC = "sha256:" + String(repeating: "c3", count: 32)

    /// Five publishes: add, change digest, remove, delegation add, sign in the delegation.
    @Test(arguments: TrustServerKind.allCases)
    func fivePublishesAreListedWithTheirChangesAndSigners(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = "example.com/history/\(kind.rawValue)"
        let publisher = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        @discardableResult
        func succeed(_ arguments: [String], _ options: [String]? = nil) throws -> CLI.Result {
            let result = try CLI.run(CLI.signet, arguments + (options ?? publisher), environment: CLI.passphrases)
            #expect(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
            return result
        }

        try succeed(["init", gun])
        try succeed(["add", gun, "1.0", "--digest", Self.digestA, "--size", "10"])
        try succeed(["add", gun, "2.0", "--digest", Self.digestA, "--size", "10"])
        try succeed(["publish", gun])
        try succeed(["add", gun, "1.0", "--digest", Self.digestB, "--size", "20"])
        try succeed(["publish", gun])
        try succeed(["remove", gun, "2.0"])
        try succeed(["publish", gun])
        let prefix = work.appendingPathComponent("releases").path
        let generated = try succeed(["key", "generate", "--role", "targets/releases", "-o", prefix])
        let releasesKey = try #require(generated.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        try succeed(["key", "import", prefix + "-key.pem", "--role", "targets/releases"])
        try succeed(["delegation", "add", gun, "targets/releases", prefix + ".pem", "--all-paths"])
        try succeed(["publish", gun])
        try succeed(["add", gun, "3.0", "--digest", Self.digestC, "--size", "30", "--role", "targets/releases"])
        try succeed(["publish", gun])

        // A reader with a fresh trust dir (trust on first use), as a consumer would ask.
        let reader = ["-d", work.appendingPathComponent("reader").path, "-s", server.url]
        let json = try succeed(["history", gun, "--json"], reader)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let versions = try #require(document["versions"] as? [[String: Any]])
        let summary = versions.map { "\($0["role"] as? String ?? "?") v\($0["version"] as? Int ?? 0)" }
        #expect(summary == ["targets v1", "targets v2", "targets v3", "targets v4", "targets/releases v1"], "\(summary)")
        func tags(_ index: Int) -> [String] {
            ((versions[index]["tags"] as? [[String: Any]]) ?? []).map {
                "\($0["change"] as? String ?? "?") \($0["tag"] as? String ?? "?") \($0["before"] as? String ?? "-") \($0["after"] as? String ?? "-")"
            }
        }
        guard versions.count == 5 else { return }
        #expect(tags(0) == ["added 1.0 - \(Self.digestA)", "added 2.0 - \(Self.digestA)"], "\(tags(0))")
        #expect(tags(1) == ["changed 1.0 \(Self.digestA) \(Self.digestB)"], "\(tags(1))")
        #expect(tags(2) == ["removed 2.0 \(Self.digestA) -"], "\(tags(2))")
        #expect(tags(3).isEmpty, "\(tags(3))")
        let delegation = (versions[3]["delegations"] as? [[String: Any]])?.first
        #expect(delegation?["role"] as? String == "targets/releases" && delegation?["change"] as? String == "added", "\(versions[3])")
        #expect(tags(4) == ["added 3.0 - \(Self.digestC)"], "\(tags(4))")
        for version in versions {
            #expect(version["verified"] as? Bool == true, "\(version)")
            #expect((version["published"] as? String)?.hasSuffix("Z") == true, "\(version)")
        }
        // targets is signed by the publisher's targets key, the delegation's version by its key.
        let targetsSigner = try #require((versions[0]["signedBy"] as? [String])?.first)
        #expect((versions[3]["signedBy"] as? [String]) == [targetsSigner])
        #expect((versions[4]["signedBy"] as? [String]) == [releasesKey], "\(versions[4]) vs \(releasesKey)")

        // One tag: "which digest did 1.0 have, and who signed the change?"
        let one = try succeed(["history", gun, "1.0"], reader)
        let lines = one.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(one.stdout)")
        #expect(lines.first?.contains("targets v1  signed by \(targetsSigner.prefix(7))  +1.0 \(Self.digestA)") == true, "\(one.stdout)")
        #expect(lines.last?.contains("targets v2  signed by \(targetsSigner.prefix(7))  ~1.0 \(Self.digestA) -> \(Self.digestB)") == true, "\(one.stdout)")
        let three = try succeed(["history", gun, "3.0"], reader)
        #expect(three.stdout.contains("targets/releases v1  signed by \(releasesKey.prefix(7))  +3.0 \(Self.digestC)"), "\(three.stdout)")
        let none = try succeed(["history", gun, "9.9"], reader)
        #expect(none.stdout.contains("No published version of \(gun) changed 9.9"), "\(none.stdout)")
    }
}
