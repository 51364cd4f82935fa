import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §3: refusals that say what is wrong, with the exit code of the contract.
@Suite struct RefusalMessageTests {
    /// notary#1490: `init` + `publish` while the server already holds another root for the GUN.
    @Test func initAgainstAnotherRootNamesBothRootsAndTheWaysOut() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let gun = "example.com/refusal/app"
        func signet(_ arguments: [String], _ dir: String) throws -> CLI.Result {
            try SignetBinary.run(arguments + ["-d", work.appendingPathComponent(dir).path, "-s", server.url], environment: CLI.passphrases)
        }
        let first = try signet(["init", gun], "first")
        #expect(try signet(["publish", gun], "first").status == 0)
        let second = try signet(["init", gun], "second")
        let serverRoot = try #require(first.stdout.split(separator: "\n").first?.split(separator: " ").last?.prefix(7))
        let localRoot = try #require(second.stdout.split(separator: "\n").first?.split(separator: " ").last?.prefix(7))
        let refused = try signet(["publish", gun], "second")
        #expect(refused.status == 1)
        let message = refused.stderr
        #expect(message.contains(String(serverRoot)) && message.contains(String(localRoot)), "\(message)")
        #expect(message.contains("v1"), "\(message)")
        #expect(message.contains("signet delete \(gun) (") || message.contains("signet delete \(gun)."), "\(message)")
        #expect(message.contains("signet delete \(gun) --remote"), "\(message)")
    }

    @Test func aNonBcryptHtpasswdFileIsBadInput() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("htpasswd")
        try Data("alice:$apr1$/r/V/mzz$xQpg6XQrQZ8x48L04ve4z.\n".utf8).write(to: file)
        let result = try SignetBinary.run(["serve", "--listen", "127.0.0.1:0", "--storage", work.appendingPathComponent("data").path, "--htpasswd", file.path])
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("not a bcrypt hash"), "\(result.stderr)")
    }

    /// One rule for a new key's passphrase from the environment and the prompt; keys already
    /// encrypted with a short passphrase still unlock.
    @Test func aShortPassphraseForANewKeyIsRefusedButOldKeysStillUnlock() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let trustDir = work.appendingPathComponent("trust").path
        let refused = try SignetBinary.run(["key", "generate", "-d", trustDir], environment: ["SIGNET_ROOT_PASSPHRASE": "a"])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("SIGNET_ROOT_PASSPHRASE") && refused.stderr.contains("at least 8 characters"), "\(refused.stderr)")
        #expect(try SignetBinary.run(["key", "list", "-d", trustDir]).stdout.contains("No signing keys found."))

        let made = try CLI.run("/bin/sh", ["-c", "cd '\(work.path)' && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:short -out old.pem"])
        try #require(made.status == 0, "\(made.stderr)")
        let imported = try SignetBinary.run(["key", "import", work.appendingPathComponent("old.pem").path, "--role", "targets/releases", "-d", trustDir],
                                            environment: ["SIGNET_DELEGATION_PASSPHRASE": "short"])
        #expect(imported.status == 0, "an existing key with a short passphrase must still unlock: \(imported.stderr)")

        // The same rule for a re-encryption (key passwd) and for the NOTARY_* fallback.
        let id = try #require(imported.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let passwd = try SignetBinary.run(["key", "passwd", id, "-d", trustDir],
                                          environment: ["SIGNET_DELEGATION_PASSPHRASE": "short", "SIGNET_NEW_PASSPHRASE": "1234567"])
        #expect(passwd.status == 2 && passwd.stderr.contains("SIGNET_NEW_PASSPHRASE") && passwd.stderr.contains("at least 8 characters"), "\(passwd.stderr)")
        let notary = try SignetBinary.run(["key", "generate", "-d", trustDir], environment: ["NOTARY_ROOT_PASSPHRASE": "1234567"])
        #expect(notary.status == 2 && notary.stderr.contains("NOTARY_ROOT_PASSPHRASE"), "\(notary.stderr)")
    }

    /// GUNs up to 255 bytes, as Notary 0.7 allows: roots made by either client are read by the other.
    @Test func aGUNLongerThan64BytesWorksBothWaysWithNotary() throws {
        guard RequiredTool.isInstalled("/usr/bin/notary") else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let notaryEnv = ["NOTARY_ROOT_PASSPHRASE": "n-root-pass", "NOTARY_TARGETS_PASSPHRASE": "n-targets-pass", "NOTARY_SNAPSHOT_PASSPHRASE": "n-snap-pass"]
        let notary = ["-d", work.appendingPathComponent("notary").path, "-s", server.url]
        let signet = ["-d", work.appendingPathComponent("signet").path, "-s", server.url]

        let byNotary = "example.com/" + String(repeating: "n", count: 88)
        #expect(byNotary.utf8.count == 100)
        let notaryInit = try CLI.run("/usr/bin/notary", notary + ["init", "-p", byNotary], environment: notaryEnv)
        try #require(notaryInit.status == 0, "notary init: \(notaryInit.stderr)")
        let read = try SignetBinary.run(["list", byNotary] + signet, environment: CLI.passphrases)
        #expect(read.status == 0, "signet reads notary's 100-byte GUN: \(read.stderr)")

        let bySignet = "example.com/" + String(repeating: "s", count: 243)
        #expect(bySignet.utf8.count == 255)
        let created = try SignetBinary.run(["init", bySignet] + signet, environment: CLI.passphrases)
        #expect(created.status == 0, "signet init of a 255-byte GUN: \(created.stderr)")
        #expect(try SignetBinary.run(["publish", bySignet] + signet, environment: CLI.passphrases).status == 0)
        let notaryList = try CLI.run("/usr/bin/notary", notary + ["list", bySignet])
        #expect(notaryList.status == 0, "notary reads signet's 255-byte GUN: \(notaryList.stderr)")
        #expect(notaryList.stdout.contains("No targets present"), "\(notaryList.stdout)")
    }

    @Test func aWrongPasswordAtTheTokenRealmSaysSo() throws {
        let server = try AuthCLITests.ProtectedServer()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let result = try SignetBinary.run(["list", "example.com/app", "-d", work.path, "-s", server.url],
                                          environment: ["SIGNET_AUTH": AuthCLITests.auth("alice", "not-her-password")])
        #expect(result.status == 1)
        #expect(result.stderr.contains("wrong user name or password for \(server.url)/_signet/token"), "\(result.stderr)")
        #expect(!result.stderr.contains("not-her-password"))
    }

    @Test func aPolicyDenialSaysWhoMayNotDoWhatAndWhatIsAllowed() throws {
        let server = try AuthCLITests.ProtectedServer()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let gun = "example.com/app"
        func signet(_ arguments: [String], user: String) throws -> CLI.Result {
            try SignetBinary.run(arguments + ["-d", work.appendingPathComponent(user).path, "-s", server.url],
                                 environment: CLI.passphrases.merging(["SIGNET_AUTH": AuthCLITests.auth(user, "\(user)-secret")]) { $1 })
        }
        #expect(try signet(["init", gun], user: "alice").status == 0)
        #expect(try signet(["publish", gun], user: "alice").status == 0)
        // bob's init of a new GUN already needs push (the server's timestamp key).
        let bobs = "example.com/bobs-app"
        let push = try signet(["init", bobs], user: "bob")
        #expect(push.status == 1)
        #expect(push.stderr.contains("user bob may not push to \(bobs) (allowed: pull)"), "\(push.stderr)")
        #expect(!push.stderr.contains(#""Action""#), "no raw detail JSON: \(push.stderr)")
        let delete = try signet(["delete", gun, "--remote"], user: "bob")
        #expect(delete.status == 1)
        #expect(delete.stderr.contains("user bob may not delete \(gun) (needs *) (allowed: pull)"), "\(delete.stderr)")
    }
}
