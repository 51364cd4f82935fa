import Foundation
import Testing

/// The release engineer's flow against a real notary-server 0.7 and against `signet serve`, with
/// interop checks both ways through the real `notary` client.
@Suite(.serialized) struct PublishFlowTests {
    let gun = "example.com/signet/app"
    let digestA = "sha256:" + String(repeating: "a", count: 64)
    let digestB = "sha256:" + String(repeating: "b", count: 64)
    let digestC = "sha256:" + String(repeating: "c", count: 64)

    /// The role's key IDs in a cached root.json.
    static func rootKeyIDs(_ trustDir: URL, gun: String, role: String) throws -> [String] {
        let file = trustDir.appendingPathComponent("tuf/\(gun)/metadata/root.json")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        let roles = (object?["signed"] as? [String: Any])?["roles"] as? [String: Any]
        return ((roles?[role] as? [String: Any])?["keyids"] as? [String]) ?? []
    }

    @Test(arguments: TrustServerKind.allCases)
    func endToEndWithRotationsDelegationAndInterop(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let consumerDir = work.appendingPathComponent("consumer")
        let publisher = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        let consumer = ["-d", consumerDir.path, "-s", server.url]
        func signet(_ args: [String], _ opts: [String], stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + opts, environment: CLI.passphrases, stdin: stdin)
        }
        func succeed(_ args: [String], _ opts: [String], stdin: String? = nil) throws -> CLI.Result {
            let result = try signet(args, opts, stdin: stdin)
            try #require(result.status == 0, "[\(kind)] signet \(args.joined(separator: " ")): \(result.stderr)")
            return result
        }

        try succeed(["init", gun], publisher)
        try succeed(["add", gun, "1.0", "--digest", digestA, "--size", "528"], publisher)
        try succeed(["add", gun, "--from-file", "-"], publisher, stdin: "1.1 \(digestB) 600\nlatest \(digestC) 700\n")
        let payload = work.appendingPathComponent("payload.txt")
        try Data("hello signet\n".utf8).write(to: payload)
        try succeed(["add", gun, "readme", payload.path], publisher)
        // An OCI layout made by umoci.
        let layout = work.appendingPathComponent("oci")
        for arguments in [["init", "--layout", layout.path], ["new", "--image", layout.path + ":oci-1"]] {
            let result = try CLI.run("/usr/bin/umoci", arguments)
            try #require(result.status == 0, "umoci \(arguments): \(result.stderr)")
        }
        try succeed(["add", gun, "--oci-layout", layout.path, "--ref", "oci-1"], publisher)
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: layout.appendingPathComponent("index.json"))) as? [String: Any]
        let ociManifest = try #require((index?["manifests"] as? [[String: Any]])?.first)
        let ociDigest = try #require(ociManifest["digest"] as? String)
        let ociSize = try #require(ociManifest["size"] as? Int)
        // Delegation targets/releases with an imported key.
        let prefix = work.appendingPathComponent("releases").path
        try succeed(["key", "generate", "--role", "targets/releases", "-o", prefix], publisher)
        try succeed(["key", "import", prefix + "-key.pem", "--role", "targets/releases"], publisher)
        try succeed(["delegation", "add", gun, "targets/releases", prefix + ".pem", "--all-paths"], publisher)
        let status = try signet(["status", gun], publisher)
        #expect(status.stdout.contains("1.0") && status.stdout.contains("delegation"))
        try succeed(["publish", gun], publisher)
        #expect(try signet(["status", gun], publisher).stdout.contains("No unpublished changes"))
        // With targets/releases delegated and its key held, add signs into it by default.
        try succeed(["add", gun, "stable", "--digest", digestA, "--size", "528"], publisher)
        try succeed(["publish", gun], publisher)

        // A fresh trust dir: trust on first use, then list/lookup/verify every target.
        let expected: [(name: String, digest: String, size: Int, role: String)] = [
            ("1.0", digestA, 528, "targets"), ("1.1", digestB, 600, "targets"), ("latest", digestC, 700, "targets"),
            ("readme", "sha256:" + EndToEndTests.sha256Hex("hello signet\n"), 13, "targets"),
            ("oci-1", ociDigest, ociSize, "targets"), ("stable", digestA, 528, "targets/releases"),
        ]
        let list = try succeed(["list", gun], consumer)
        for target in expected {
            let row = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
                .first { $0.first == target.name }
            #expect(row == [target.name, target.digest, String(target.size), target.role], "[\(kind)] list: \(list.stdout)")
            let lookup = try succeed(["lookup", gun, target.name], consumer)
            #expect(lookup.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(target.name) \(target.digest) \(target.size)")
            let verify = try succeed(["verify", "\(gun):\(target.name)"], consumer)
            #expect(verify.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == target.digest, "[\(kind)] verify \(target.name): \(verify.stdout)")
        }
        #expect(try signet(["verify", "\(gun)@\(digestB)"], consumer).status == 0)
        let unsigned = try signet(["verify", "\(gun):nope"], consumer)
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("no trust data for \(gun):nope: the tag is not signed in any trusted role"), "[\(kind)] \(unsigned.stderr)")
        #expect(try signet(["delegation", "list", gun], consumer).stdout.contains("targets/releases"))

        // The real notary client reads what Signet published.
        let notaryList = try CLI.run("/usr/bin/notary", ["-d", work.appendingPathComponent("notary").path, "-s", server.url, "list", gun])
        #expect(notaryList.status == 0 && notaryList.stdout.contains("latest") && notaryList.stdout.contains("stable")
                && notaryList.stdout.contains("oci-1"), "[\(kind)] \(notaryList.stdout) \(notaryList.stderr)")

        // Rotate targets; the consumer follows. Then root; the consumer follows that too.
        let targetsRotation = try succeed(["key", "rotate", gun, "targets"], publisher)
        let newTargetsKey = try #require(targetsRotation.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let afterTargets = try succeed(["list", gun], consumer)
        #expect(afterTargets.stdout.contains("latest") && afterTargets.stdout.contains("stable"))
        #expect(try Self.rootKeyIDs(consumerDir, gun: gun, role: "targets") == [newTargetsKey], "[\(kind)] consumer root has not the new targets key")
        let rootsBefore = try Self.rootKeyIDs(consumerDir, gun: gun, role: "root")
        let rootRotation = try succeed(["key", "rotate", gun, "root"], publisher)
        let newRootKey = try #require(rootRotation.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(!rootsBefore.contains(newRootKey))
        let afterRoot = try succeed(["list", gun], consumer)
        #expect(afterRoot.stdout.contains("latest") && afterRoot.stdout.contains("stable"))
        #expect(try Self.rootKeyIDs(consumerDir, gun: gun, role: "root") == [newRootKey], "[\(kind)] consumer root has not the new root key")
        #expect(try signet(["verify", "\(gun):1.1"], consumer).stdout.contains(digestB))
        try succeed(["key", "rotate", gun, "timestamp"], publisher)
        let afterTimestamp = try signet(["list", gun], consumer)
        #expect(afterTimestamp.status == 0 && afterTimestamp.stdout.contains("latest"), "\(afterTimestamp.stderr)")
        // And a fresh trust dir trusts the rotated collection on first use.
        #expect(try signet(["lookup", gun, "oci-1"], ["-d", work.appendingPathComponent("late").path, "-s", server.url]).stdout.contains(ociDigest))

        // Remove a tag, publish, the consumer sees it gone; notary agrees.
        try succeed(["remove", gun, "latest", "--role", "targets"], publisher)
        try succeed(["publish", gun], publisher)
        let afterRemove = try signet(["list", gun], consumer)
        #expect(afterRemove.status == 0 && !afterRemove.stdout.contains("latest") && afterRemove.stdout.contains("1.0"))
        let removed = try signet(["lookup", gun, "latest"], consumer)
        #expect(removed.status == 1)
        #expect(removed.stderr.contains("\(gun) has no trusted target \"latest\""), "[\(kind)] \(removed.stderr)")
        let notaryAfter = try CLI.run("/usr/bin/notary", ["-d", work.appendingPathComponent("notary").path, "-s", server.url, "list", gun])
        #expect(notaryAfter.status == 0 && !notaryAfter.stdout.contains("latest") && notaryAfter.stdout.contains("1.0"), "[\(kind)] \(notaryAfter.stdout) \(notaryAfter.stderr)")

        // Server unreachable: the consumer falls back to its cache with a warning.
        let offline = try signet(["list", gun], ["-d", consumerDir.path, "-s", "http://127.0.0.1:1"])
        #expect(offline.status == 0 && offline.stderr.contains("cached"))

        // delete --remote: the collection is gone for everyone.
        try succeed(["delete", gun, "--remote"], publisher)
        let fresh = try signet(["list", gun], ["-d", work.appendingPathComponent("fresh").path, "-s", server.url])
        #expect(fresh.status == 1)
        #expect(fresh.stderr.contains("no trust data for \(gun)"), "[\(kind)] \(fresh.stderr)")
        let known = try signet(["list", gun], consumer)
        #expect(known.status == 1)
        #expect(known.stderr.contains("not found"), "[\(kind)] \(known.stderr)")
    }

    @Test(arguments: TrustServerKind.allCases)
    func signetReadsWhatNotaryPublishesAndNotaryReadsSignetChanges(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let notaryGun = "example.com/notary/app"
        let notaryEnv = ["NOTARY_ROOT_PASSPHRASE": "n-root-pass", "NOTARY_TARGETS_PASSPHRASE": "n-targets-pass", "NOTARY_SNAPSHOT_PASSPHRASE": "n-snap-pass"]
        let notary = ["-d", work.appendingPathComponent("notary").path, "-s", server.url]
        let payload = work.appendingPathComponent("p.txt")
        try Data("from notary\n".utf8).write(to: payload)
        #expect(try CLI.run("/usr/bin/notary", notary + ["init", notaryGun], environment: notaryEnv).status == 0)
        #expect(try CLI.run("/usr/bin/notary", notary + ["add", notaryGun, "nt", payload.path], environment: notaryEnv).status == 0)
        #expect(try CLI.run("/usr/bin/notary", notary + ["publish", notaryGun], environment: notaryEnv).status == 0)
        let list = try CLI.run(CLI.signet, ["list", notaryGun, "-d", work.appendingPathComponent("signet").path, "-s", server.url])
        #expect(list.status == 0 && list.stdout.contains("nt"), "\(list.stderr)")

        // Signet stages into notary's trust dir; notary status shows it and publishes it.
        let stage = try CLI.run(CLI.signet, ["add", notaryGun, "from-signet", "--digest", digestA, "--size", "9"] + notary)
        #expect(stage.status == 0)
        let status = try CLI.run("/usr/bin/notary", notary + ["status", notaryGun], environment: notaryEnv)
        #expect(status.stdout.contains("from-signet"), "\(status.stdout)")
        #expect(try CLI.run("/usr/bin/notary", notary + ["publish", notaryGun], environment: notaryEnv).status == 0)
        let lookup = try CLI.run(CLI.signet, ["lookup", notaryGun, "from-signet", "-d", work.appendingPathComponent("signet").path, "-s", server.url])
        #expect(lookup.stdout.contains(digestA))
    }

    /// Every failure exits with the contract's code and a one-line message naming the cause, and
    /// leaves the staged changes and every file of the trust dir as they were — first for a
    /// collection never published, then for a published one with new staged changes.
    @Test(arguments: TrustServerKind.allCases)
    func failuresKeepStagedChangesAndUseContractExitCodes(_ kind: TrustServerKind) throws {
        let server = try kind.start()
        defer { server.stop() }
        // A second server of the same kind that never handed out this GUN's timestamp key: it
        // must refuse a root naming the first server's key.
        let other = try kind.start()
        defer { other.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let trustDir = work.appendingPathComponent("td")
        let opts = ["-d", trustDir.path, "-s", server.url]
        func signet(_ args: [String], env: [String: String] = CLI.passphrases, stdin: String? = nil, options: [String]? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + (options ?? opts), environment: env, stdin: stdin)
        }
        func expectFailure(_ what: String, _ args: [String], code: Int32, mentions: [String], env: [String: String] = CLI.passphrases,
                           stdin: String? = nil, options: [String]? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let statusBefore = try signet(["status", gun])
            let filesBefore = try TreeChecksum.of(trustDir)
            let result = try signet(args, env: env, stdin: stdin, options: options)
            #expect(result.status == code, "[\(kind)] \(what): exit \(result.status), \(result.stderr)", sourceLocation: sourceLocation)
            let lines = result.stderr.split(separator: "\n").filter { !$0.contains("warning:") }
            #expect(lines.count == 1 && lines[0].hasPrefix("signet: "), "[\(kind)] \(what): \(result.stderr)", sourceLocation: sourceLocation)
            for text in mentions {
                #expect(result.stderr.contains(text), "[\(kind)] \(what): no \"\(text)\" in \(result.stderr)", sourceLocation: sourceLocation)
            }
            let statusAfter = try signet(["status", gun])
            #expect(statusAfter.stdout == statusBefore.stdout, "[\(kind)] \(what): staged changes changed", sourceLocation: sourceLocation)
            let filesAfter = try TreeChecksum.of(trustDir)
            let changed = Set(filesBefore.keys).union(filesAfter.keys).filter { filesBefore[$0] != filesAfter[$0] }.sorted()
            #expect(changed.isEmpty, "[\(kind)] \(what): trust dir files changed: \(changed)", sourceLocation: sourceLocation)
        }
        var wrong = CLI.passphrases
        wrong["SIGNET_TARGETS_PASSPHRASE"] = "not-the-passphrase"
        var missing = CLI.passphrases
        missing["SIGNET_TARGETS_PASSPHRASE"] = nil
        let unknown = "example.com/never/initialised"

        /// The failures of publish: passphrases, a missing key file, unknown GUN, unreachable and refusing servers.
        func publishFailures(_ phase: String) throws {
            try expectFailure("\(phase) wrong passphrase", ["publish", gun], code: 1, mentions: ["SIGNET_TARGETS_PASSPHRASE"], env: wrong)
            try expectFailure("\(phase) no passphrase", ["publish", gun], code: 1, mentions: ["SIGNET_TARGETS_PASSPHRASE"], env: missing)
            // The targets key file removed from the trust dir.
            let keys = try #require(try JSONSerialization.jsonObject(with: Data(signet(["key", "list", "--json"]).stdout.utf8)) as? [[String: Any]])
            let targetsID = try #require(keys.first { $0["role"] as? String == "targets" && $0["gun"] as? String == gun }?["id"] as? String)
            let keyFile = trustDir.appendingPathComponent("private/\(targetsID).key")
            let aside = work.appendingPathComponent("aside.key")
            try FileManager.default.moveItem(at: keyFile, to: aside)
            try expectFailure("\(phase) missing targets key", ["publish", gun], code: 1, mentions: ["targets", "key"])
            try FileManager.default.moveItem(at: aside, to: keyFile)
            try expectFailure("\(phase) publish unknown GUN", ["publish", unknown], code: 1, mentions: [unknown, "init"])
            try expectFailure("\(phase) list unknown GUN", ["list", unknown], code: 1, mentions: [unknown])
            try expectFailure("\(phase) lookup unknown GUN", ["lookup", unknown, "keep"], code: 1, mentions: [unknown])
            try expectFailure("\(phase) server unreachable", ["publish", gun], code: 3, mentions: ["cannot reach", "127.0.0.1:1"],
                              options: ["-d", trustDir.path, "-s", "http://127.0.0.1:1"])
            try expectFailure("\(phase) server refuses", ["publish", gun], code: 1, mentions: ["refused", "INVALID_UPDATE", "HTTP 400"],
                              options: ["-d", trustDir.path, "-s", other.url])
        }

        // A collection initialised but never published.
        #expect(try signet(["init", gun]).status == 0)
        #expect(try signet(["add", gun, "keep", "--digest", digestA, "--size", "1"]).status == 0)
        try expectFailure("malformed digest", ["add", gun, "x", "--digest", "sha256:abc", "--size", "1"], code: 2, mentions: ["malformed digest", "sha256:abc"])
        try expectFailure("digest not hex", ["add", gun, "x", "--digest", "sha256:" + String(repeating: "g", count: 64), "--size", "1"], code: 2, mentions: ["malformed digest"])
        try expectFailure("non-numeric size", ["add", gun, "x", "--digest", digestA, "--size", "ten"], code: 2, mentions: ["\"ten\""])
        try expectFailure("negative size", ["add", gun, "x", "--digest", digestA, "--size=-5"], code: 2, mentions: ["-5"])
        try expectFailure("bulk line with two fields", ["add", gun, "--from-file", "-"], code: 2, mentions: ["line 2", "nothing staged"],
                          stdin: "ok \(digestB) 5\nbroken line\nlater \(digestC) 6\n")
        try expectFailure("bulk line with a bad digest", ["add", gun, "--from-file", "-"], code: 2, mentions: ["line 3", "malformed digest"],
                          stdin: "ok \(digestB) 5\n# comment\nbad sha256:xyz 6\n")
        try expectFailure("bulk line with a bad size", ["add", gun, "--from-file", "-"], code: 2, mentions: ["line 1", "12kb"],
                          stdin: "ok \(digestB) 12kb\n")
        let listFile = work.appendingPathComponent("tags.txt")
        try Data("a \(digestA) 1\nb \(digestB) 2\nc \(digestC)\n".utf8).write(to: listFile)
        try expectFailure("bulk file with a bad line", ["add", gun, "--from-file", listFile.path], code: 2, mentions: ["line 3", listFile.path])
        try publishFailures("new collection:")
        let status = try signet(["status", gun])
        #expect(status.stdout.contains("keep") && !status.stdout.contains("broken") && !status.stdout.contains(" ok"))
        try #require(try signet(["publish", gun]).status == 0)
        #expect(try signet(["lookup", gun, "keep"]).status == 0)

        // A published collection with new staged changes (the cache refreshed first by a list).
        #expect(try signet(["add", gun, "keep2", "--digest", digestB, "--size", "2"]).status == 0)
        #expect(try signet(["list", gun]).status == 0)
        try publishFailures("published collection:")
        // Another trust dir sharing the keys publishes first: the server now holds newer versions
        // than this trust dir has seen; publish rebases onto them and keeps both changes.
        let second = work.appendingPathComponent("second")
        try FileManager.default.copyItem(at: trustDir, to: second)
        #expect(try signet(["reset", gun], options: ["-d", second.path, "-s", server.url]).status == 0)
        #expect(try signet(["add", gun, "from-second", "--digest", digestC, "--size", "3"], options: ["-d", second.path, "-s", server.url]).status == 0)
        #expect(try signet(["publish", gun], options: ["-d", second.path, "-s", server.url]).status == 0)
        let rebased = try signet(["publish", gun])
        #expect(rebased.status == 0, "[\(kind)] \(rebased.stderr)")
        let fresh = ["-d", work.appendingPathComponent("fresh").path, "-s", server.url]
        let listed = try signet(["list", gun], options: fresh)
        #expect(listed.stdout.contains("keep2") && listed.stdout.contains("from-second") && listed.stdout.contains("keep "), "[\(kind)] \(listed.stdout)")
    }

    @Test func fixtureTrustDirOpens() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fixture = CLI.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/notary-0.7/trustdir/publisher-final")
        let copy = work.appendingPathComponent("td")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: "/work/shared/fixtures/notary-0.7/trustdir/publisher-final"), to: copy)
        _ = fixture
        let list = try CLI.run(CLI.signet, ["key", "list", "-d", copy.path])
        #expect(list.status == 0)
        for id in ["7d631e9a8d287b9a64535ed1723a75bbc9d0352fde2858e46045deb84a4fa0b5", "a3c4b0df13088efec214a1b8d250662f5ea181285d8b69d3cc450d34bb3b50ea",
                   "eb29782daee9529ba45ff8f740c8c8276283ca6b80f59e52ae07db9607b35e2b"] {
            #expect(list.stdout.contains(id))
        }
        #expect(list.stdout.contains("targets/releases") && list.stdout.contains("example.com/library/app"))
        // The fixture passphrase decrypts a notary-written key: export re-encrypting with passwd.
        let passwd = try CLI.run(CLI.signet, ["key", "passwd", "a3c4b0df", "-d", copy.path],
                                 environment: ["NOTARY_TARGETS_PASSPHRASE": "fixture-targets-passphrase", "SIGNET_NEW_PASSPHRASE": "new-targets-pass"])
        #expect(passwd.status == 0, "\(passwd.stderr)")
    }
}
