import Foundation
import Testing

/// A collection of 10,000 tags staged with one `add --from-file` and published at once; the
/// server keeps serving all of it to a fresh trust dir.
@Suite(.serialized) struct BulkPublishTests {
    static let count = 10_000

    /// `count` lines `tag-NNNNN sha256:HEX SIZE`, with distinct digests and sizes.
    static func bulkList(count: Int, prefix: String = "tag") -> [(name: String, digest: String, size: Int)] {
        (0..<count).map { (name: String(format: "\(prefix)-%05d", $0), digest: "sha256:" + EndToEndTests.sha256Hex("manifest \($0)"), size: 1000 + $0) }
    }

    @Test(arguments: TrustServerKind.allCases)
    func tenThousandTargetsPublishAndServe(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = "example.com/bulk/app"
        let publisher = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        let consumer = ["-d", work.appendingPathComponent("consumer").path, "-s", server.url]
        func signet(_ args: [String], _ opts: [String]) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + opts, environment: CLI.passphrases)
        }
        let entries = Self.bulkList(count: Self.count)
        let list = work.appendingPathComponent("tags.txt")
        try Data(entries.map { "\($0.name) \($0.digest) \($0.size)" }.joined(separator: "\n").utf8).write(to: list)

        #expect(try signet(["init", gun], publisher).status == 0)
        let started = Date()
        let add = try signet(["add", gun, "--from-file", list.path], publisher)
        try #require(add.status == 0, "[\(kind)] \(add.stderr)")
        let staged = Date()
        let publish = try signet(["publish", gun], publisher)
        try #require(publish.status == 0, "[\(kind)] \(publish.stderr)")
        let published = Date()
        print("[\(kind)] add --from-file \(Self.count): \(staged.timeIntervalSince(started))s, publish: \(published.timeIntervalSince(staged))s")
        // Speed is measured in bench/client/publish-10k.sh, not asserted here.
        #expect(try signet(["status", gun], publisher).stdout.contains("No unpublished changes"))

        let listed = try signet(["list", gun, "--json"], consumer)
        try #require(listed.status == 0, "[\(kind)] \(listed.stderr)")
        let targets = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(targets.count == Self.count)
        let byName = Dictionary(uniqueKeysWithValues: targets.compactMap { target in (target["name"] as? String).map { ($0, target) } })
        for entry in entries where byName[entry.name]?["digest"] as? String != entry.digest || byName[entry.name]?["length"] as? Int != entry.size {
            Issue.record("[\(kind)] \(entry.name) listed as \(String(describing: byName[entry.name]))")
            break
        }
        for entry in [entries[0], entries[4242], entries[Self.count - 1]] {
            let lookup = try signet(["lookup", gun, entry.name], consumer)
            #expect(lookup.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(entry.name) \(entry.digest) \(entry.size)", "[\(kind)] \(lookup.stderr)")
        }
        // One more change on top of the large collection publishes and is served too.
        #expect(try signet(["remove", gun, entries[7].name], publisher).status == 0)
        #expect(try signet(["publish", gun], publisher).status == 0)
        let removed = try signet(["lookup", gun, entries[7].name], consumer)
        #expect(removed.status == 1)
        #expect(removed.stderr.contains("\(gun) has no trusted target \"\(entries[7].name)\""), "[\(kind)] \(removed.stderr)")
        #expect(try signet(["verify", "\(gun):\(entries[8].name)"], consumer).stdout.contains(entries[8].digest))
    }
}
