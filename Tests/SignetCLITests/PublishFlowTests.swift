import Foundation
import Testing

/// The release engineer's flow against a real notary-server 0.7, with interop checks both ways
/// through the real `notary` client.
@Suite(.serialized) struct PublishFlowTests {
    let gun = "example.com/signet/app"
    let digestA = "sha256:" + String(repeating: "a", count: 64)
    let digestB = "sha256:" + String(repeating: "b", count: 64)
    let digestC = "sha256:" + String(repeating: "c", count: 64)

    @Test func endToEndWithRotationsDelegationAndInterop() throws {
        let server = try NotaryServer()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let publisher = ["-d", work.appendingPathComponent("publisher").path, "-s", server.url]
        let consumer = ["-d", work.appendingPathComponent("consumer").path, "-s", server.url]
        func signet(_ args: [String], _ opts: [String], stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + opts, environment: CLI.passphrases, stdin: stdin)
        }

        #expect(try signet(["init", gun], publisher).status == 0)
        #expect(try signet(["add", gun, "1.0", "--digest", digestA, "--size", "528"], publisher).status == 0)
        #expect(try signet(["add", gun, "--from-file", "-"], publisher, stdin: "1.1 \(digestB) 600\nlatest \(digestC) 700\n").status == 0)
        let payload = work.appendingPathComponent("payload.txt")
        try Data("hello signet\n".utf8).write(to: payload)
        #expect(try signet(["add", gun, "readme", payload.path], publisher).status == 0)
        // An OCI layout made by umoci, when available.
        let layout = work.appendingPathComponent("oci")
        var ociTag: String?
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/umoci"),
           try CLI.run("/usr/bin/umoci", ["init", "--layout", layout.path]).status == 0,
           try CLI.run("/usr/bin/umoci", ["new", "--image", layout.path + ":oci-1"]).status == 0 {
            #expect(try signet(["add", gun, "--oci-layout", layout.path, "--ref", "oci-1"], publisher).status == 0)
            ociTag = "oci-1"
        }
        // Delegation targets/releases with an imported key.
        let prefix = work.appendingPathComponent("releases").path
        #expect(try signet(["key", "generate", "--role", "targets/releases", "-o", prefix], publisher).status == 0)
        #expect(try signet(["key", "import", prefix + "-key.pem", "--role", "targets/releases"], publisher).status == 0)
        #expect(try signet(["delegation", "add", gun, "targets/releases", prefix + ".pem", "--all-paths"], publisher).status == 0)
        let status = try signet(["status", gun], publisher)
        #expect(status.stdout.contains("1.0") && status.stdout.contains("delegation"))
        let published = try signet(["publish", gun], publisher)
        #expect(published.status == 0, "\(published.stderr)")
        #expect(try signet(["status", gun], publisher).stdout.contains("No unpublished changes"))
        // With targets/releases delegated and its key held, add signs into it by default.
        #expect(try signet(["add", gun, "stable", "--digest", digestA, "--size", "528"], publisher).status == 0)
        #expect(try signet(["publish", gun], publisher).status == 0)

        // A fresh trust dir: trust on first use, then list/lookup/verify.
        let list = try signet(["list", gun], consumer)
        #expect(list.status == 0, "\(list.stderr)")
        for name in ["1.0", "1.1", "latest", "readme", "stable"] + (ociTag.map { [$0] } ?? []) { #expect(list.stdout.contains(name)) }
        #expect(list.stdout.contains("targets/releases"))
        let lookup = try signet(["lookup", gun, "1.1"], consumer)
        #expect(lookup.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "1.1 \(digestB) 600")
        #expect(try signet(["verify", "\(gun):stable"], consumer).stdout.contains(digestA))
        #expect(try signet(["verify", "\(gun):nope"], consumer).status == 1)
        #expect(try signet(["delegation", "list", gun], consumer).stdout.contains("targets/releases"))

        // The real notary client reads what Signet published.
        let notaryList = try CLI.run("/usr/bin/notary", ["-d", work.appendingPathComponent("notary").path, "-s", server.url, "list", gun])
        #expect(notaryList.status == 0 && notaryList.stdout.contains("latest") && notaryList.stdout.contains("stable"), "\(notaryList.stdout)")

        // Rotate targets, then root; the consumer follows.
        #expect(try signet(["key", "rotate", gun, "targets"], publisher).status == 0)
        let rootRotation = try signet(["key", "rotate", gun, "root"], publisher)
        #expect(rootRotation.status == 0, "\(rootRotation.stderr)")
        #expect(try signet(["key", "rotate", gun, "timestamp"], publisher).status == 0)
        let afterRotation = try signet(["list", gun], consumer)
        #expect(afterRotation.status == 0 && afterRotation.stdout.contains("latest"), "\(afterRotation.stderr)")

        // Remove a tag, publish, the consumer sees it gone; notary agrees.
        #expect(try signet(["remove", gun, "latest", "--role", "targets"], publisher).status == 0)
        #expect(try signet(["publish", gun], publisher).status == 0)
        let afterRemove = try signet(["list", gun], consumer)
        #expect(afterRemove.status == 0 && !afterRemove.stdout.contains("latest") && afterRemove.stdout.contains("1.0"))
        let notaryAfter = try CLI.run("/usr/bin/notary", ["-d", work.appendingPathComponent("notary").path, "-s", server.url, "list", gun])
        #expect(notaryAfter.status == 0 && !notaryAfter.stdout.contains("latest"), "\(notaryAfter.stdout)")

        // Server unreachable: the consumer falls back to its cache with a warning.
        let offline = try signet(["list", gun], ["-d", work.appendingPathComponent("consumer").path, "-s", "http://127.0.0.1:1"])
        #expect(offline.status == 0 && offline.stderr.contains("cached"))

        // delete --remote: the collection is gone for everyone.
        #expect(try signet(["delete", gun, "--remote"], publisher).status == 0)
        #expect(try signet(["list", gun], ["-d", work.appendingPathComponent("fresh").path, "-s", server.url]).status == 1)
    }

    @Test func signetReadsWhatNotaryPublishesAndNotaryReadsSignetChanges() throws {
        let server = try NotaryServer()
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

    @Test func failuresKeepStagedChangesAndUseContractExitCodes() throws {
        let server = try NotaryServer()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let opts = ["-d", work.appendingPathComponent("td").path, "-s", server.url]
        func signet(_ args: [String], env: [String: String] = CLI.passphrases, stdin: String? = nil, options: [String]? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + (options ?? opts), environment: env, stdin: stdin)
        }
        #expect(try signet(["init", gun]).status == 0)
        #expect(try signet(["add", gun, "keep", "--digest", digestA, "--size", "1"]).status == 0)
        #expect(try signet(["add", gun, "x", "--digest", "sha256:abc", "--size", "1"]).status == 2)
        #expect(try signet(["add", gun, "x", "--digest", digestA, "--size", "ten"]).status == 2)
        let bulk = try signet(["add", gun, "--from-file", "-"], stdin: "ok \(digestB) 5\nbroken line\n")
        #expect(bulk.status == 2 && bulk.stderr.contains("line 2"))
        var wrong = CLI.passphrases
        wrong["SIGNET_TARGETS_PASSPHRASE"] = "not-the-passphrase"
        let badPass = try signet(["publish", gun], env: wrong)
        #expect(badPass.status == 1 && badPass.stderr.contains("SIGNET_TARGETS_PASSPHRASE"))
        var missing = CLI.passphrases
        missing["SIGNET_TARGETS_PASSPHRASE"] = nil
        let noPass = try signet(["publish", gun], env: missing)
        #expect(noPass.status == 1 && noPass.stderr.contains("SIGNET_TARGETS_PASSPHRASE"))
        let unreachable = try signet(["publish", gun], options: ["-d", work.appendingPathComponent("td").path, "-s", "http://127.0.0.1:1"])
        #expect(unreachable.status == 3)
        let status = try signet(["status", gun])
        #expect(status.stdout.contains("keep") && !status.stdout.contains("broken") && !status.stdout.contains(" ok"))
        #expect(try signet(["publish", gun]).status == 0)
        #expect(try signet(["lookup", gun, "keep"]).status == 0)
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
