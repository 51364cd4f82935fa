import Foundation
import Glibc
import Testing

/// `publish` killed with SIGKILL at random moments: the server holds either all of the staged
/// changes or none of them, `status` still lists them when they were not published, and a later
/// `publish` succeeds and the collection verifies from a fresh trust dir.
@Suite(.serialized) struct InterruptedPublishTests {
    static let gun = "example.com/killed/app"
    static let batch = 1_500
    static let rounds = 5

    /// Starts `signet ARGS` and SIGKILLs it after `delay` seconds (unless it ended first).
    /// - Returns: whether it was killed before it ended by itself.
    static func runAndKill(_ arguments: [String], after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.signet)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_PASSPHRASE") }.merging(CLI.passphrases) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(5_000) }
        let killed = process.isRunning
        if killed { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return killed && process.terminationReason == .uncaughtSignal
    }

    @Test(arguments: TrustServerKind.allCases)
    func killedPublishIsAllOrNothing(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = Self.gun
        let opts = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        func signet(_ args: [String], _ options: [String]? = nil, stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + (options ?? opts), environment: CLI.passphrases, stdin: stdin)
        }
        /// Target names on the server, read by a fresh trust dir (trust on first use).
        func served() throws -> Set<String> {
            let result = try signet(["list", gun, "--json"], ["-d", work.appendingPathComponent("reader-\(UUID().uuidString)").path, "-s", server.url])
            try #require(result.status == 0, "[\(kind)] list: \(result.stderr)")
            let targets = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            return Set(targets.compactMap { $0["name"] as? String })
        }
        func staged() throws -> Set<String> {
            let result = try signet(["status", gun, "--json"])
            let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            return Set(entries.compactMap { $0["path"] as? String })
        }

        #expect(try signet(["init", gun]).status == 0)
        #expect(try signet(["add", gun, "base", "--digest", "sha256:" + String(repeating: "0", count: 64), "--size", "1"]).status == 0)
        try #require(try signet(["publish", gun]).status == 0)

        // How long an uninterrupted publish of one batch takes here: the kills are spread over it.
        var everything = BulkPublishTests.bulkList(count: Self.batch, prefix: "warmup")
        let warmup = try signet(["add", gun, "--from-file", "-"], stdin: everything.map { "\($0.name) \($0.digest) \($0.size)" }.joined(separator: "\n"))
        try #require(warmup.status == 0, "[\(kind)] \(warmup.stderr)")
        let started = Date()
        try #require(try signet(["publish", gun]).status == 0)
        let publishTime = Date().timeIntervalSince(started)

        var killedCount = 0
        var outcomes: [String] = []
        for round in 0..<Self.rounds {
            let entries = BulkPublishTests.bulkList(count: Self.batch, prefix: "r\(round)")
            everything += entries
            let add = try signet(["add", gun, "--from-file", "-"], stdin: entries.map { "\($0.name) \($0.digest) \($0.size)" }.joined(separator: "\n"))
            try #require(add.status == 0, "[\(kind)] \(add.stderr)")
            let pending = Set(entries.map(\.name))
            // Odd rounds aim at the end of the publish (upload, cache writes, changelist removal).
            let delay = round % 2 == 0 ? Double.random(in: 0.05...publishTime) : Double.random(in: (publishTime * 0.6)...(publishTime * 1.1))
            let killed = try Self.runAndKill(["publish", gun] + opts, after: delay)
            if killed { killedCount += 1 }
            let onServer = try served()
            let published = pending.intersection(onServer)
            let stillStaged = try staged()
            let when = "\(killed ? "killed" : "ended") after \(String(format: "%.2f", delay))s of \(String(format: "%.2f", publishTime))s"
            if published.isEmpty {
                // Not published: every change is still staged.
                #expect(pending.isSubset(of: stillStaged), "[\(kind)] round \(round): \(pending.subtracting(stillStaged).count) changes neither staged nor published")
                outcomes.append("\(when): not published")
            } else {
                #expect(published == pending, "[\(kind)] round \(round): half published: \(published.count) of \(pending.count)")
                outcomes.append("\(when): published, \(stillStaged.count) left staged")
            }
            // The next publish succeeds and the server then holds the whole batch.
            let recover = try signet(["publish", gun])
            #expect(recover.status == 0, "[\(kind)] round \(round): publish after the kill: \(recover.stderr)")
            #expect(try staged().isEmpty)
            #expect(pending.isSubset(of: try served()), "[\(kind)] round \(round): batch not served after the recovery publish")
        }
        print("[\(kind)] \(killedCount) of \(Self.rounds) publishes killed: \(outcomes.joined(separator: "; "))")

        // A later publish succeeds, and everything verifies from a fresh trust dir.
        let final = try signet(["publish", gun])
        #expect(final.status == 0, "[\(kind)] \(final.stderr)")
        #expect(try signet(["status", gun]).stdout.contains("No unpublished changes"))
        let names = try served()
        #expect(names == Set(everything.map(\.name) + ["base"]), "[\(kind)] served \(names.count) targets, expected \(everything.count + 1)")
        let fresh = ["-d", work.appendingPathComponent("fresh").path, "-s", server.url]
        for entry in [everything[0], everything[everything.count / 2], everything[everything.count - 1]] {
            let verify = try signet(["verify", "\(gun):\(entry.name)"], fresh)
            #expect(verify.status == 0 && verify.stdout.contains(entry.digest), "[\(kind)] verify \(entry.name): \(verify.stderr)")
        }
        // The publisher's own trust dir still works for reading and publishing.
        #expect(try signet(["list", gun]).status == 0)
        #expect(try signet(["remove", gun, "base"]).status == 0)
        #expect(try signet(["publish", gun]).status == 0)
        let removed = try signet(["lookup", gun, "base"], fresh)
        #expect(removed.status == 1)
        #expect(removed.stderr.contains("\(gun) has no trusted target \"base\""), "[\(kind)] \(removed.stderr)")
    }

    /// The first publish of a new collection (root, targets, snapshot uploaded together) killed
    /// at random moments: the GUN then exists on the server completely or not at all.
    @Test(arguments: TrustServerKind.allCases)
    func killedFirstPublishIsAllOrNothing(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let opts = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        func signet(_ args: [String], _ options: [String]? = nil, stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + (options ?? opts), environment: CLI.passphrases, stdin: stdin)
        }
        var publishTime = 1.0
        var outcomes: [String] = []
        for round in 0..<4 {
            let gun = "example.com/killed-first/app\(round)"
            let entries = BulkPublishTests.bulkList(count: Self.batch, prefix: "t")
            try #require(try signet(["init", gun]).status == 0)
            let add = try signet(["add", gun, "--from-file", "-"], stdin: entries.map { "\($0.name) \($0.digest) \($0.size)" }.joined(separator: "\n"))
            try #require(add.status == 0, "[\(kind)] \(add.stderr)")
            if round == 0 {
                // Measure one uninterrupted first publish.
                let started = Date()
                try #require(try signet(["publish", gun]).status == 0)
                publishTime = Date().timeIntervalSince(started)
                continue
            }
            let delay = Double.random(in: (publishTime * 0.3)...(publishTime * 1.1))
            let killed = try Self.runAndKill(["publish", gun] + opts, after: delay)
            let reader = ["-d", work.appendingPathComponent("reader-\(round)").path, "-s", server.url]
            let listed = try signet(["list", gun, "--json"], reader)
            let status = try signet(["status", gun, "--json"])
            let staged = (try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [[String: Any]])?.count ?? -1
            if listed.status == 0 {
                let names = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])?.count ?? -1
                #expect(names == Self.batch, "[\(kind)] \(gun): half published: \(names) of \(Self.batch)")
                outcomes.append("\(killed ? "killed" : "ended") after \(String(format: "%.2f", delay))s: published, \(staged) left staged")
            } else {
                #expect(listed.status == 1, "[\(kind)] \(gun): \(listed.stderr)")
                #expect(listed.stderr.contains("no trust data for \(gun)"), "[\(kind)] \(gun): \(listed.stderr)")
                #expect(staged == Self.batch, "[\(kind)] \(gun): not published, but \(staged) of \(Self.batch) staged")
                outcomes.append("\(killed ? "killed" : "ended") after \(String(format: "%.2f", delay))s: not published")
            }
            let again = try signet(["publish", gun])
            #expect(again.status == 0, "[\(kind)] \(gun): publish after the kill: \(again.stderr)")
            let verify = try signet(["verify", "\(gun):\(entries[5].name)"], ["-d", work.appendingPathComponent("fresh-\(round)").path, "-s", server.url])
            #expect(verify.status == 0 && verify.stdout.contains(entries[5].digest), "[\(kind)] \(gun): \(verify.stderr)")
            // The reader that saw nothing (or everything) before follows too.
            #expect(try signet(["lookup", gun, entries[6].name], reader).status == 0)
        }
        print("[\(kind)] first publish (\(String(format: "%.2f", publishTime))s): \(outcomes.joined(separator: "; "))")
    }
}
