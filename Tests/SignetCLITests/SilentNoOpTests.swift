import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §1, "success reported, nothing done": `remove`, `add --role`, `delegation remove` and
/// the default role of `add` must act on the roles that really hold (or may hold) the target, or
/// refuse with a message naming them; a staged change is never dropped silently at publish. Each
/// test runs against `signet serve` and a real notary-server 0.7; staged changes Signet itself
/// refuses are staged with the real `notary` client, which does not check them.
@Suite(.serialized) struct SilentNoOpTests {
    let gun = "example.com/noops/app"
    let digestA = "sha256:" + String(repeating: "a", count: 64)
    let digestB = "sha256:" + String(repeating: "b", count: 64)

    /// One test's servers, directories and `signet` runs.
    struct Flow {
        let kind: TrustServerKind
        let server: RunningTrustServer
        let work: URL

        init(_ kind: TrustServerKind) throws {
            self.kind = kind
            server = try kind.start()
            work = try CLI.temporaryDirectory()
        }

        func finish() {
            server.stop()
            try? FileManager.default.removeItem(at: work)
        }

        func dir(_ name: String) -> String { work.appendingPathComponent(name).path }

        func signet(_ args: [String], in trustDir: String, server url: String? = nil, stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, args + ["-d", dir(trustDir), "-s", url ?? server.url], environment: CLI.passphrases, stdin: stdin)
        }

        @discardableResult
        func succeed(_ args: [String], in trustDir: String, stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
            let result = try signet(args, in: trustDir, stdin: stdin)
            try #require(result.status == 0, "[\(kind)] signet \(args.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
            return result
        }

        /// `notary` on the same trust dir (it stages without checking roles or paths).
        @discardableResult
        func notary(_ args: [String], in trustDir: String) throws -> CLI.Result {
            guard RequiredTool.isInstalled("/usr/bin/notary") else { throw TestFailure("notary missing") }
            let result = try CLI.run("/usr/bin/notary", ["-d", dir(trustDir), "-s", server.url] + args)
            try #require(result.status == 0, "[\(kind)] notary \(args.joined(separator: " ")): \(result.stdout) \(result.stderr)")
            return result
        }

        /// A key pair for `role` made with `signet key generate -o` (PREFIX-key.pem, PREFIX.pem).
        func delegationKey(_ name: String, role: String, in trustDir: String) throws -> (privateKey: String, publicKey: String) {
            let prefix = dir(name)
            try succeed(["key", "generate", "--role", role, "-o", prefix], in: trustDir)
            return (prefix + "-key.pem", prefix + ".pem")
        }

        /// The canonical key ID `delegation add` prints for a key file.
        func canonicalID(printedBy output: String) -> String? {
            guard let start = output.range(of: "with keys [\"")?.upperBound, let end = output[start...].firstIndex(of: "\"") else { return nil }
            return String(output[start..<end])
        }
    }

    /// (scope, action, path) of every staged change of `gun` in `trustDir`.
    func staged(_ flow: Flow, in trustDir: String) throws -> [[String]] {
        let result = try flow.succeed(["status", gun, "--json"], in: trustDir)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)")
        return rows.map { [$0["scope"] as? String ?? "?", $0["action"] as? String ?? "?", $0["path"] as? String ?? "?"] }
    }

    /// The role `list` in a fresh trust dir shows for target `name` (nil when it is not trusted).
    func trustedRole(_ flow: Flow, _ name: String) throws -> String? {
        let list = try flow.signet(["list", gun], in: "consumer-\(UUID().uuidString)")
        #expect(list.status == 0, "[\(flow.kind)] list: \(list.stderr)")
        let row = list.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
            .first { $0.first == name }
        return row?.last
    }

    /// A published collection: 1.0 and 1.1 in `targets`, `targets/releases` (all paths, key held
    /// by "publisher") holding "rel". With `serverManagedSnapshot` the server signs the snapshot,
    /// so a trust dir holding only the delegation key can publish (Docker Content Trust's setup).
    func publishedWithReleases(_ flow: Flow, serverManagedSnapshot: Bool = false) throws -> (privateKey: String, publicKey: String) {
        try flow.succeed(["init", gun] + (serverManagedSnapshot ? ["--server-managed-snapshot"] : []), in: "publisher")
        try flow.succeed(["add", gun, "1.0", "--digest", digestA, "--size", "10"], in: "publisher")
        try flow.succeed(["add", gun, "1.1", "--digest", digestB, "--size", "11"], in: "publisher")
        let key = try flow.delegationKey("releases", role: "targets/releases", in: "publisher")
        try flow.succeed(["key", "import", key.privateKey, "--role", "targets/releases"], in: "publisher")
        try flow.succeed(["delegation", "add", gun, "targets/releases", key.publicKey, "--all-paths"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        try flow.succeed(["add", gun, "rel", "--digest", digestA, "--size", "10", "--role", "targets/releases"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        return key
    }

    // MARK: - remove

    /// `remove` without `--role` removes the tag from the role that holds it (here `targets`,
    /// although `targets/releases` is delegated and its key held), and says which role.
    @Test(arguments: TrustServerKind.allCases)
    func removeTakesTheTagFromTheRoleThatHoldsIt(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        _ = try publishedWithReleases(flow)
        let removal = try flow.succeed(["remove", gun, "1.0"], in: "publisher")
        #expect(removal.stdout.contains("1.0") && removal.stdout.contains("targets") && !removal.stdout.contains("targets/releases"),
                "[\(kind)] \(removal.stdout)")
        #expect(try staged(flow, in: "publisher") == [["targets", "delete", "1.0"]])
        try flow.succeed(["publish", gun], in: "publisher")
        #expect(try trustedRole(flow, "1.0") == nil, "[\(kind)] 1.0 is still trusted after its removal was published")
        #expect(try trustedRole(flow, "1.1") == "targets")

        // A tag held by two roles goes from both.
        try flow.succeed(["add", gun, "1.1", "--digest", digestB, "--size", "11", "--role", "targets/releases"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        let both = try flow.succeed(["remove", gun, "1.1"], in: "publisher")
        #expect(both.stdout.contains("targets/releases") && both.stdout.contains("targets\""), "[\(kind)] \(both.stdout)")
        #expect(Set(try staged(flow, in: "publisher")) == [["targets", "delete", "1.1"], ["targets/releases", "delete", "1.1"]])
        try flow.succeed(["publish", gun], in: "publisher")
        #expect(try trustedRole(flow, "1.1") == nil, "[\(kind)] 1.1 is still trusted")
        #expect(try trustedRole(flow, "rel") == "targets/releases")
    }

    /// A tag no role holds is an error (exit 1) naming it, nothing is staged; `--force` stages it
    /// anyway. With `--role`, a role that does not hold the tag is refused naming the one that does.
    @Test(arguments: TrustServerKind.allCases)
    func removeOfATagNoRoleHoldsIsRefusedUnlessForced(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        _ = try publishedWithReleases(flow)
        let nowhere = try flow.signet(["remove", gun, "nope"], in: "publisher")
        #expect(nowhere.status == 1, "[\(kind)] exit \(nowhere.status): \(nowhere.stdout) \(nowhere.stderr)")
        #expect(nowhere.stderr.contains("\"nope\"") && nowhere.stderr.contains("no role") && nowhere.stderr.contains("--force"), "[\(kind)] \(nowhere.stderr)")
        #expect(try staged(flow, in: "publisher").isEmpty)

        let wrongRole = try flow.signet(["remove", gun, "1.0", "--role", "targets/releases"], in: "publisher")
        #expect(wrongRole.status == 1, "[\(kind)] exit \(wrongRole.status): \(wrongRole.stdout)")
        #expect(wrongRole.stderr.contains("targets/releases does not hold \"1.0\"") && wrongRole.stderr.contains("held by targets"),
                "[\(kind)] \(wrongRole.stderr)")
        #expect(try staged(flow, in: "publisher").isEmpty)

        let forced = try flow.succeed(["remove", gun, "nope", "--force"], in: "publisher")
        #expect(forced.stdout.contains("nope"))
        #expect(try staged(flow, in: "publisher").count == 1)
        try flow.succeed(["publish", gun], in: "publisher")
        #expect(try trustedRole(flow, "1.0") == "targets")
    }

    /// At publish, a staged removal of a name the role does not hold (staged here by the real
    /// notary client, which checks nothing) is refused naming role and name, and stays staged.
    @Test(arguments: TrustServerKind.allCases)
    func publishRefusesAStagedRemovalTheRoleDoesNotHold(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        _ = try publishedWithReleases(flow)
        try flow.notary(["remove", gun, "1.0", "--roles", "targets/releases"], in: "publisher")
        let before = try staged(flow, in: "publisher")
        #expect(before == [["targets/releases", "delete", "1.0"]])
        let publish = try flow.signet(["publish", gun], in: "publisher")
        #expect(publish.status == 1, "[\(kind)] exit \(publish.status): \(publish.stdout) \(publish.stderr)")
        #expect(publish.stderr.contains("targets/releases does not hold \"1.0\"") && publish.stderr.contains("signet reset \(gun) -n 0"),
                "[\(kind)] \(publish.stderr)")
        #expect(try staged(flow, in: "publisher") == before)
        #expect(try trustedRole(flow, "1.0") == "targets")
    }

    /// Staged changes Signet does not apply (Notary's `delegation purge` scope `targets/*`, a
    /// `role` change) are refused at publish naming the change, never skipped; they stay staged.
    /// Without a cache and without a server, `remove` cannot know the holders: exit 3 unless forced.
    @Test func unsupportedStagedChangesAreRefusedNotSkipped() throws {
        let flow = try Flow(.signet)
        defer { flow.finish() }
        try flow.succeed(["init", gun], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        let changelist = flow.work.appendingPathComponent("publisher/tuf/\(gun)/changelist")
        for (index, json) in [#"{"action":"create","role":"targets/*","type":"target","path":"x","data":null}"#,
                              #"{"action":"update","role":"root","type":"role","path":"","data":null}"#].enumerated() {
            try flow.succeed(["reset", gun], in: "publisher")
            try FileManager.default.createDirectory(at: changelist, withIntermediateDirectories: true)
            try Data(json.utf8).write(to: changelist.appendingPathComponent("0000000000000000000\(index)_00000000-0000-0000-0000-000000000000.change"))
            let publish = try flow.signet(["publish", gun], in: "publisher")
            #expect(publish.status == 2 && publish.stderr.contains("staged change 0") && publish.stderr.contains("signet reset \(gun) -n 0"),
                    "exit \(publish.status): \(publish.stderr)")
            #expect(try staged(flow, in: "publisher").count == 1)
        }
        let offline = try flow.signet(["remove", gun, "1.0"], in: "empty", server: "http://127.0.0.1:1")
        #expect(offline.status == 3 && offline.stderr.contains("nothing is cached") && offline.stderr.contains("--force"), "exit \(offline.status): \(offline.stderr)")
        let forced = try flow.signet(["remove", gun, "1.0", "--force"], in: "empty", server: "http://127.0.0.1:1")
        #expect(forced.status == 0 && forced.stderr.contains("unchecked"), "exit \(forced.status): \(forced.stderr)")
    }

    // MARK: - add --role outside the role's paths

    /// `add --role targets/qa` of a name outside the role's paths is refused at add time (the role
    /// is known to the trust dir) and, when staged by notary, at publish time; nothing is dropped.
    @Test(arguments: TrustServerKind.allCases)
    func addOutsideTheDelegationPathsIsRefusedAtAddAndAtPublish(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        try flow.succeed(["init", gun], in: "publisher")
        let key = try flow.delegationKey("qa", role: "targets/qa", in: "publisher")
        try flow.succeed(["key", "import", key.privateKey, "--role", "targets/qa"], in: "publisher")
        try flow.succeed(["delegation", "add", gun, "targets/qa", key.publicKey, "--paths", "qa/"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")

        let refused = try flow.signet(["add", gun, "notqa", "--digest", digestA, "--size", "10", "--role", "targets/qa"], in: "publisher")
        #expect(refused.status == 2, "[\(kind)] exit \(refused.status): \(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("\"notqa\"") && refused.stderr.contains("targets/qa") && refused.stderr.contains("qa/"), "[\(kind)] \(refused.stderr)")
        #expect(try staged(flow, in: "publisher").isEmpty)
        try flow.succeed(["add", gun, "qa/1", "--digest", digestA, "--size", "10", "--role", "targets/qa"], in: "publisher")

        let payload = flow.work.appendingPathComponent("payload")
        try Data("notqa\n".utf8).write(to: payload)
        try flow.notary(["add", gun, "notqa", payload.path, "--roles", "targets/qa"], in: "publisher")
        let before = try staged(flow, in: "publisher")
        #expect(before.count == 2)
        let publish = try flow.signet(["publish", gun, "-v"], in: "publisher")
        #expect(publish.status == 2, "[\(kind)] exit \(publish.status): \(publish.stdout) \(publish.stderr)")
        #expect(publish.stderr.contains("\"notqa\"") && publish.stderr.contains("targets/qa") && publish.stderr.contains("qa/")
                && publish.stderr.contains("-n 1"), "[\(kind)] \(publish.stderr)")
        #expect(try staged(flow, in: "publisher") == before)
        #expect(try trustedRole(flow, "qa/1") == nil, "[\(kind)] part of a refused publish was uploaded")

        // Dropping the bad change lets the rest publish.
        try flow.succeed(["reset", gun, "-n", "1"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        #expect(try trustedRole(flow, "qa/1") == "targets/qa")
    }

    // MARK: - delegation remove

    /// Unknown key IDs and paths are errors naming the role's real ones; the message says exactly
    /// what is removed; removing a whole role needs `-y` off a terminal, and a role that is not
    /// delegated is an error.
    @Test(arguments: TrustServerKind.allCases)
    func delegationRemoveSaysWhatItRemovesAndRefusesWhatIsNotThere(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        try flow.succeed(["init", gun], in: "publisher")
        let first = try flow.delegationKey("k1", role: "targets/releases", in: "publisher")
        let second = try flow.delegationKey("k2", role: "targets/releases", in: "publisher")
        try flow.succeed(["key", "import", first.privateKey, "--role", "targets/releases"], in: "publisher")
        let addFirst = try flow.succeed(["delegation", "add", gun, "targets/releases", first.publicKey, "--paths", "a/", "b/"], in: "publisher")
        let addSecond = try flow.succeed(["delegation", "add", gun, "targets/releases", second.publicKey], in: "publisher")
        let firstID = try #require(flow.canonicalID(printedBy: addFirst.stdout), "\(addFirst.stdout)")
        let secondID = try #require(flow.canonicalID(printedBy: addSecond.stdout), "\(addSecond.stdout)")
        try flow.succeed(["publish", gun], in: "publisher")

        let unknownKey = try flow.signet(["delegation", "remove", gun, "targets/releases", "deadbeef"], in: "publisher")
        #expect(unknownKey.status == 1, "[\(kind)] exit \(unknownKey.status): \(unknownKey.stdout) \(unknownKey.stderr)")
        #expect(unknownKey.stderr.contains("deadbeef") && unknownKey.stderr.contains(firstID) && unknownKey.stderr.contains(secondID),
                "[\(kind)] \(unknownKey.stderr)")
        let unknownPath = try flow.signet(["delegation", "remove", gun, "targets/releases", "--paths", "c/"], in: "publisher")
        #expect(unknownPath.status == 1 && unknownPath.stderr.contains("\"c/\"") && unknownPath.stderr.contains("a/, b/"),
                "[\(kind)] exit \(unknownPath.status): \(unknownPath.stderr)")
        let notDelegated = try flow.signet(["delegation", "remove", gun, "targets/nope", "-y"], in: "publisher")
        #expect(notDelegated.status == 1 && notDelegated.stderr.contains("targets/nope is not delegated"), "[\(kind)] \(notDelegated.stderr)")
        let noYes = try flow.signet(["delegation", "remove", gun, "targets/releases"], in: "publisher")
        #expect(noYes.status == 2 && noYes.stderr.contains("-y"), "[\(kind)] exit \(noYes.status): \(noYes.stderr)")
        #expect(try staged(flow, in: "publisher").isEmpty)

        let keyRemoval = try flow.succeed(["delegation", "remove", gun, "targets/releases", secondID], in: "publisher")
        #expect(keyRemoval.stdout.contains("key \(secondID)") && keyRemoval.stdout.contains("targets/releases")
                && !keyRemoval.stdout.contains("Removal of delegation role"), "[\(kind)] \(keyRemoval.stdout)")
        let pathRemoval = try flow.succeed(["delegation", "remove", gun, "targets/releases", "--paths", "b/"], in: "publisher")
        #expect(pathRemoval.stdout.contains("path \"b/\""), "[\(kind)] \(pathRemoval.stdout)")
        // The key staged for removal above is no longer the role's.
        let again = try flow.signet(["delegation", "remove", gun, "targets/releases", secondID], in: "publisher")
        #expect(again.status == 1 && again.stderr.contains(secondID), "[\(kind)] \(again.stderr)")
        try flow.succeed(["publish", gun], in: "publisher")
        let list = try flow.succeed(["delegation", "list", gun], in: "publisher")
        #expect(list.stdout.contains("a/") && !list.stdout.contains("b/"), "[\(kind)] \(list.stdout)")

        let whole = try flow.succeed(["delegation", "remove", gun, "targets/releases", "-y"], in: "publisher")
        #expect(whole.stdout.contains("Removal of delegation role targets/releases") && whole.stdout.contains(firstID)
                && whole.stdout.contains("a/"), "[\(kind)] \(whole.stdout)")
        try flow.succeed(["publish", gun], in: "publisher")
        #expect(!(try flow.succeed(["delegation", "list", gun], in: "publisher")).stdout.contains("targets/releases"))
    }

    /// On a terminal, removing a whole role asks first (as `notary delegation remove` does); an
    /// answer other than yes stages nothing.
    @Test func delegationRemoveOfAWholeRoleAsksOnATerminal() throws {
        guard RequiredTool.isInstalled("/usr/bin/script") else { return }
        let flow = try Flow(.signet)
        defer { flow.finish() }
        try flow.succeed(["init", gun], in: "publisher")
        let key = try flow.delegationKey("k1", role: "targets/releases", in: "publisher")
        try flow.succeed(["delegation", "add", gun, "targets/releases", key.publicKey, "--all-paths"], in: "publisher")
        try flow.succeed(["publish", gun], in: "publisher")
        func onTerminal(_ answer: String) throws -> CLI.Result {
            let command = [CLI.signet, "delegation", "remove", gun, "targets/releases", "-d", flow.dir("publisher"), "-s", flow.server.url]
                .map { "'\($0)'" }.joined(separator: " ")
            return try CLI.run("/usr/bin/script", ["-qec", command, "/dev/null"], stdin: answer + "\n")
        }
        let declined = try onTerminal("no")
        #expect(declined.stdout.contains("Are you sure you want to remove all data for this delegation? (yes/no)"), "\(declined.stdout)")
        #expect(declined.status == 2 && declined.stdout.contains("nothing staged"), "exit \(declined.status): \(declined.stdout)")
        #expect(try staged(flow, in: "publisher").isEmpty)
        let confirmed = try onTerminal("yes")
        #expect(confirmed.status == 0 && confirmed.stdout.contains("Removal of delegation role targets/releases"), "\(confirmed.stdout)")
        #expect(try staged(flow, in: "publisher") == [["targets/releases", "delete", ""]])
    }

    // MARK: - default role in a fresh trust dir

    /// A fresh trust dir holding only the `targets/releases` key stages into `targets/releases`
    /// (the server's metadata fetched by a verified update), as it does after a `list`; with the
    /// server unreachable it falls back to `targets` and says so.
    @Test(arguments: TrustServerKind.allCases)
    func addInAFreshTrustDirUsesTheServersDelegations(_ kind: TrustServerKind) throws {
        let flow = try Flow(kind)
        defer { flow.finish() }
        let key = try publishedWithReleases(flow, serverManagedSnapshot: true)
        try flow.succeed(["key", "import", key.privateKey, "--role", "targets/releases"], in: "signer")
        let add = try flow.succeed(["add", gun, "2.0", "--digest", digestB, "--size", "11"], in: "signer")
        #expect(add.stdout.contains("targets/releases"), "[\(kind)] \(add.stdout)")
        #expect(try staged(flow, in: "signer") == [["targets/releases", "create", "2.0"]])
        try flow.succeed(["publish", gun], in: "signer")
        #expect(try trustedRole(flow, "2.0") == "targets/releases")

        // remove in the same trust dir: 1.0 is held by targets, whose key is not here.
        let remove = try flow.signet(["remove", gun, "1.0"], in: "signer")
        #expect(remove.status == 1 && remove.stderr.contains("held by targets") && remove.stderr.contains("key"), "[\(kind)] \(remove.stderr)")

        try flow.succeed(["key", "import", key.privateKey, "--role", "targets/releases"], in: "offline")
        let offline = try flow.signet(["add", gun, "2.1", "--digest", digestB, "--size", "11"], in: "offline", server: "http://127.0.0.1:1")
        #expect(offline.status == 0, "[\(kind)] \(offline.stderr)")
        #expect(offline.stderr.contains("cannot reach") && offline.stderr.contains("targets"), "[\(kind)] \(offline.stderr)")
        #expect(try staged(flow, in: "offline") == [["targets", "create", "2.1"]])
    }
}
