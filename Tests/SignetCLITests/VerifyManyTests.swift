import Foundation
import SignetTestSupport
import Testing

/// Issue 16 §4: a CI job checks many images in one `signet verify` process: 50 images in 3
/// collections, each collection updated once (the server's access log counts the requests), one
/// line (or one JSON array element) per image, exit 0 only when every image is trusted.
@Suite struct VerifyManyTests {
    static let guns = ["example.com/many/api", "example.com/many/web", "example.com/many/worker"]

    static func digest(_ gun: String, _ tag: Int) -> String {
        "sha256:" + EndToEndTests.sha256Hex("\(gun) \(tag)")
    }

    /// Requests for `gun`'s trust data in the server's access log.
    static func requests(_ log: URL, gun: String) -> Int {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("/v2/\(gun)/_trust/tuf/") && $0.hasSuffix("request") }.count
    }

    /// The counts once the server has logged `expected` more requests (it logs after answering).
    static func settledCounts(_ log: URL, after before: [String: Int], expectedEach: [String: Int]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for _ in 0..<50 {
            counts = Dictionary(uniqueKeysWithValues: guns.map { ($0, requests(log, gun: $0) - before[$0, default: 0]) })
            if guns.allSatisfy({ counts[$0, default: 0] >= expectedEach[$0, default: 0] }) { break }
            usleep(100_000)
        }
        usleep(300_000)
        return Dictionary(uniqueKeysWithValues: guns.map { ($0, requests(log, gun: $0) - before[$0, default: 0]) })
    }

    @Test func fiftyImagesInThreeCollectionsUpdateEachCollectionOnce() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let log = work.appendingPathComponent("server.log")
        let server = try SignetServe(directory: work.appendingPathComponent("server"), arguments: ["--log-level", "info"], standardError: log)
        defer { _ = server.stop() }
        let publisher = ["-s", server.url, "-d", work.appendingPathComponent("publisher").path]
        let tags = [17, 17, 16]
        var images: [(image: String, digest: String)] = []
        for (gun, count) in zip(Self.guns, tags) {
            let lines = (1...count).map { "t\($0) \(Self.digest(gun, $0)) \(100 + $0)" }.joined(separator: "\n") + "\n"
            for (arguments, stdin) in [(["init", gun], nil), (["add", gun, "--from-file", "-"], lines), (["publish", gun], nil)] as [([String], String?)] {
                let result = try CLI.run(CLI.signet, publisher + arguments, environment: CLI.passphrases, stdin: stdin)
                try #require(result.status == 0, "signet \(arguments): \(result.stderr)")
            }
            images += (1...count).map { ("\(gun):t\($0)", Self.digest(gun, $0)) }
        }
        #expect(images.count == 50)
        func fresh() -> [String] { ["-s", server.url, "-d", work.appendingPathComponent("ci-\(UUID().uuidString)").path] }

        // What one collection's update costs: one image, one process, a fresh trust dir.
        var before = Dictionary(uniqueKeysWithValues: Self.guns.map { ($0, Self.requests(log, gun: $0)) })
        let single = try CLI.run(CLI.signet, fresh() + ["verify", images[0].image])
        #expect(single.stdout == images[0].digest + "\n", "\(single.stderr)")
        let perUpdate = Self.settledCounts(log, after: before, expectedEach: [Self.guns[0]: 1])[Self.guns[0]]!
        #expect(perUpdate >= 4, "root, timestamp, snapshot, targets at least: \(perUpdate)")

        // All 50 in one process, from a file with a comment and a blank line.
        let list = work.appendingPathComponent("images.txt")
        try Data(("# images to deploy\n\n" + images.map(\.image).joined(separator: "\n") + "\n").utf8).write(to: list)
        before = Dictionary(uniqueKeysWithValues: Self.guns.map { ($0, Self.requests(log, gun: $0)) })
        let many = try CLI.run(CLI.signet, fresh() + ["verify", "--from-file", list.path])
        #expect(many.status == 0, "\(many.stderr)")
        #expect(many.stdout == images.map { "\($0.image) \($0.digest)\n" }.joined(), "\(many.stdout)")
        let counts = Self.settledCounts(log, after: before, expectedEach: Dictionary(uniqueKeysWithValues: Self.guns.map { ($0, perUpdate) }))
        for gun in Self.guns {
            #expect(counts[gun] == perUpdate, "\(gun): \(counts[gun] ?? 0) requests for one update of \(perUpdate)")
        }

        // --json: one array, one document per image; stdin as the list.
        let json = try CLI.run(CLI.signet, fresh() + ["verify", "--from-file", "-", "--json"], stdin: images.map(\.image).joined(separator: "\n"))
        #expect(json.status == 0, "\(json.stderr)")
        let documents = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(documents.count == 50)
        #expect(documents.map { $0["digest"] as? String } == images.map(\.digest))
        #expect(documents.allSatisfy { $0["trusted"] as? Bool == true })

        // One unsigned tag, one wrong digest and one bad reference among them: the rest still
        // reported; exit 2 (the highest); the failing ones named.
        let bad = ["\(Self.guns[1]):nope", "\(Self.guns[2]):t1@\(Self.digest(Self.guns[2], 2))", "not a reference"]
        let mixed = try CLI.run(CLI.signet, fresh() + ["verify"] + images.prefix(3).map(\.image) + bad)
        #expect(mixed.status == 2, "\(mixed.stderr)")
        let lines = mixed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(mixed.stdout)")
        #expect(lines.prefix(3) == ArraySlice(images.prefix(3).map { "\($0.image) \($0.digest)" }))
        #expect(lines[3].hasPrefix("\(bad[0]) NOT-TRUSTED: "), "\(lines)")
        #expect(lines[4].hasPrefix("\(bad[1]) NOT-TRUSTED: "), "\(lines)")
        #expect(lines[5].hasPrefix("\(bad[2]) NOT-TRUSTED: "), "\(lines)")
        #expect(mixed.stderr.contains("3 of 6 images not trusted: \(bad.joined(separator: ", "))"), "\(mixed.stderr)")
        let notTrusted = try CLI.run(CLI.signet, fresh() + ["verify", images[0].image, bad[0]])
        #expect(notTrusted.status == 1, "\(notTrusted.stderr)")
    }

    /// GUNs are compared as bytes (`ExactName`): `café` written with U+00E9 and with `e` + U+0301
    /// are two collections, so grouping the images by collection must not let one spelling's
    /// verified collection answer for the other (Swift's `String` calls the two equal).
    @Test func gunsThatOnlyUnicodeCallsEqualAreTwoCollections() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let composed = "example.com/many/caf\u{E9}", decomposed = "example.com/many/cafe\u{301}"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        let publisher = ["-s", server.url, "-d", work.appendingPathComponent("publisher").path]
        let digest = Self.digest(composed, 1)
        for arguments in [["init", composed], ["add", composed, "t1", "--digest", digest, "--size", "7"], ["publish", composed]] {
            let result = try CLI.run(CLI.signet, publisher + arguments, environment: CLI.passphrases)
            try #require(result.status == 0, "signet \(arguments): \(result.stderr)")
        }
        let result = try CLI.run(CLI.signet, ["-s", server.url, "-d", work.appendingPathComponent("ci").path, "verify", "\(composed):t1", "\(decomposed):t1"])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first.map { Array($0.utf8) } == Array("\(composed):t1 \(digest)".utf8), "\(lines)")
        #expect(lines.last.map { Array($0.utf8.prefix("\(decomposed):t1 NOT-TRUSTED: ".utf8.count)) } == Array("\(decomposed):t1 NOT-TRUSTED: ".utf8), "\(lines)")
    }

    /// The list is bounded: at most 4 MiB, at most 100,000 images, refused before anything is fetched.
    @Test func theImageListIsBounded() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        let big = work.appendingPathComponent("big.txt")
        try Data(repeating: UInt8(ascii: "a"), count: 4 << 20 + 1).write(to: big)
        let tooBig = try CLI.run(CLI.signet, ["-s", closed, "-d", work.path, "verify", "--from-file", big.path])
        #expect(tooBig.status == 2, "\(tooBig.stderr)")
        #expect(tooBig.stderr.contains("image list \(big.path) is larger than 4194304 bytes"), "\(tooBig.stderr)")
        let many = work.appendingPathComponent("many.txt")
        try Data(String(repeating: "a:b\n", count: 100_001).utf8).write(to: many)
        let tooMany = try CLI.run(CLI.signet, ["-s", closed, "-d", work.path, "verify", "--from-file", many.path])
        #expect(tooMany.status == 2, "\(tooMany.stderr)")
        #expect(tooMany.stderr.contains("more than 100000 images"), "\(tooMany.stderr)")
        let empty = work.appendingPathComponent("empty.txt")
        try Data("# nothing\n\n".utf8).write(to: empty)
        let none = try CLI.run(CLI.signet, ["-s", closed, "-d", work.path, "verify", "--from-file", empty.path])
        #expect(none.status == 2, "\(none.stderr)")
        #expect(none.stderr.contains("lists no image"), "\(none.stderr)")
    }
}
