import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §4: every command given `--json` prints exactly one JSON document on stdout, for
/// success and for failure (`{"error":…,"exitCode":N}`), with real JSON types. The command tree
/// is read from the binary's own `help`, so a new command without a case here fails the test.
@Suite(.serialized) struct JSONOutputTests {
    static let gun = "example.com/json/app"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)
    static let keys = CLI.packageRoot.appendingPathComponent("keys-example")

    /// The leaf commands of `signet`, e.g. `["key", "list"]`, from `signet help <path>`.
    static func leafCommands(_ path: [String] = []) throws -> [[String]] {
        let help = try SignetBinary.run(["help"] + path).stdout
        var names: [String] = []
        var inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("SUBCOMMANDS:") { inside = true; continue }
            guard inside else { continue }
            if line.trimmingCharacters(in: .whitespaces).isEmpty { break }
            // "  name   abstract" (continuation lines are indented deeper)
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
            let name = String(line.dropFirst(2).prefix { $0 != " " })
            if name != "help" { names.append(name) }
        }
        if names.isEmpty { return path.isEmpty ? [] : [path] }
        return try names.flatMap { try leafCommands(path + [$0]) }
    }

    /// Parses stdout as exactly one JSON document (one line).
    static func document(_ result: CLI.Result, _ what: String) throws -> Any {
        let lines = result.stdout.split(separator: "\n")
        guard lines.count == 1 else {
            throw TestFailure("\(what): expected one JSON line on stdout, got \(lines.count): \(result.stdout.prefix(400)) / stderr \(result.stderr.prefix(300))")
        }
        return try JSONSerialization.jsonObject(with: Data(lines[0].utf8), options: [.fragmentsAllowed])
    }

    static func expectFailureDocument(_ result: CLI.Result, _ what: String, exitCode: Int32) throws {
        #expect(result.status == exitCode, "\(what): exit \(result.status), stderr \(result.stderr)")
        let object = try #require(try document(result, what) as? [String: Any], "\(what): not an object")
        #expect((object["error"] as? String)?.isEmpty == false, "\(what): \(object)")
        #expect(object["exitCode"] as? Int == Int(result.status), "\(what): \(object)")
    }

    static func expectSuccessDocument(_ result: CLI.Result, _ what: String) throws -> Any {
        #expect(result.status == 0, "\(what): exit \(result.status), stderr \(result.stderr)")
        let value = try document(result, what)
        if let object = value as? [String: Any] {
            #expect(object.keys.sorted() != ["ok"], "\(what): only the generic {\"ok\":true}; the command should say what it did")
            #expect(object["error"] == nil, "\(what): \(object)")
        }
        return value
    }

    @Test func everyCommandPrintsOneJSONDocumentOnSuccessAndFailure() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let trustDir = work.appendingPathComponent("trust").path
        let common = ["-d", trustDir, "-s", server.url, "--json"]
        let unreachable = ["-d", trustDir, "-s", "http://127.0.0.1:\(try FreePort.pick())", "--json"]
        var env = CLI.passphrases
        env["SIGNET_NEW_PASSPHRASE"] = "new-passphrase-123"
        let gun = Self.gun
        func signet(_ arguments: [String]) throws -> CLI.Result { try SignetBinary.run(arguments, environment: env) }

        var covered: Set<[String]> = []
        var values: [String: Any] = [:]
        func success(_ path: [String], _ arguments: [String]) throws {
            covered.insert(path)
            values[path.joined(separator: " ")] = try Self.expectSuccessDocument(try signet(path + arguments), "signet \(path.joined(separator: " ")) (success)")
        }
        func failure(_ path: [String], _ arguments: [String], exitCode: Int32) throws {
            covered.insert(path)
            try Self.expectFailureDocument(try signet(path + arguments), "signet \(path.joined(separator: " ")) (failure)", exitCode: exitCode)
        }

        // Success, in an order that builds the collection up and tears it down again.
        try success(["init"], [gun] + common)
        try success(["add"], [gun, "1.0", "--digest", Self.digest, "--size", "10"] + common)
        try success(["status"], [gun] + common)
        try success(["publish"], [gun] + common)
        try success(["list"], [gun] + common)
        try success(["lookup"], [gun, "1.0"] + common)
        try success(["verify"], ["\(gun):1.0"] + common)
        try success(["root", "show"], [gun] + common)
        try success(["expiry"], [gun] + common)
        try success(["history"], [gun] + common)
        try failure(["lookup"], [gun, "nope"] + common, exitCode: 1)
        try failure(["verify"], ["\(gun):nope"] + common, exitCode: 1)
        try success(["key", "generate"], ["--role", "targets/releases", "-o", work.appendingPathComponent("releases").path] + common)
        try success(["key", "list"], common)
        try success(["key", "import"], [work.appendingPathComponent("releases-key.pem").path, "--role", "targets/releases"] + common)
        try success(["key", "export"], common)
        try success(["delegation", "add"], [gun, "targets/releases", Self.keys.appendingPathComponent("delegation.crt").path, "--all-paths"] + common)
        _ = try Self.expectSuccessDocument(try signet(["publish", gun] + common), "publish of the delegation")
        try success(["delegation", "list"], [gun] + common)
        try success(["delegation", "remove"], [gun, "targets/releases", "-y"] + common)
        try success(["witness"], [gun, "targets"] + common)
        try success(["remove"], [gun, "1.0", "--role", "targets"] + common)
        try success(["reset"], [gun] + common)
        try success(["key", "rotate"], [gun, "snapshot", "--server-managed"] + common)
        let keyList = try #require(values["key list"] as? [[String: Any]])
        let rootID = try #require(keyList.first { $0["role"] as? String == "root" }?["id"] as? String)
        try success(["key", "passwd"], [rootID] + common)
        try success(["agent", "start"], ["--lifetime", "5m"] + common)
        try success(["agent", "status"], common)
        try success(["agent", "stop"], common)
        try success(["storage", "copy"], ["--from", server.storage.path, "--to", work.appendingPathComponent("copy").path, "--json"])
        try success(["delete"], [gun, "--remote"] + common)

        // Failure: each with the exit code the contract gives it.
        try failure(["init"], ["a/../b"] + common, exitCode: 2)
        try failure(["add"], [gun, "1.0", "--digest", "sha256:12", "--size", "10"] + common, exitCode: 2)
        try failure(["status"], ["a/../b"] + common, exitCode: 2)
        try failure(["publish"], [gun] + unreachable, exitCode: 3)
        try failure(["list"], [gun] + unreachable, exitCode: 3)
        try failure(["root", "show"], [gun] + unreachable, exitCode: 3)
        try failure(["expiry"], [gun] + unreachable, exitCode: 3)
        try failure(["history"], [gun] + unreachable, exitCode: 3)
        try failure(["key", "generate"], ["rsa"] + common, exitCode: 2)
        try failure(["key", "list"], common + ["--no-such-flag"], exitCode: 2)
        try failure(["key", "import"], [Self.keys.appendingPathComponent("delegation.crt").path] + common, exitCode: 2)
        try failure(["key", "export"], ["--key", "0000000", "--gun", gun] + common, exitCode: 2)
        try failure(["delegation", "add"], [gun, "targets/releases"] + common, exitCode: 2)
        try failure(["delegation", "list"], [gun] + unreachable, exitCode: 3)
        try failure(["delegation", "remove"], [gun, "releases"] + common, exitCode: 2)
        try failure(["witness"], [gun, "snapshot"] + common, exitCode: 2)
        try failure(["remove"], ["a/../b", "1.0"] + common, exitCode: 2)
        try failure(["reset"], [gun, "-n", "7"] + common, exitCode: 2)
        try failure(["key", "rotate"], ["a/../b", "targets"] + common, exitCode: 2)
        try failure(["key", "passwd"], ["ffffffffffff"] + common, exitCode: 1)
        try failure(["delete"], ["a/../b"] + common, exitCode: 2)
        try failure(["agent", "start"], ["--lifetime", "25h"] + common, exitCode: 2)
        try failure(["agent", "status"], common, exitCode: 1)
        try failure(["agent", "stop"], common, exitCode: 1)
        try failure(["serve"], ["--listen", "not-an-address", "--json"], exitCode: 2)
        try failure(["storage", "copy"], ["--from", work.appendingPathComponent("no-store").path, "--to", work.appendingPathComponent("copy2").path, "--json"], exitCode: 2)
        try failure(["storage", "import-notary"], [work.path, "--to", work.appendingPathComponent("copy3").path, "--json"], exitCode: 2)

        // signet tuf: against a TUF 1.0 repository (TUFCommandTests.jsonCases).
        try TUFCommandTests.jsonCases(work: work, success: success, failure: { try failure($0, $1, exitCode: $2) })

        // serve: its one document says where it serves.
        covered.insert(["serve"])
        let serve = try SignetServe(directory: work.appendingPathComponent("serve-json"), arguments: ["--json"])
        let served = serve.output
        _ = serve.stop()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(served.utf8)) as? [String: Any], "serve --json: \(served)")
        #expect((object["serving"] as? String)?.hasPrefix("http://127.0.0.1:") == true, "\(object)")

        let leaves = Set(try Self.leafCommands())
        #expect(!leaves.isEmpty)
        #expect(leaves.subtracting(covered).isEmpty, "commands without a --json case here: \(leaves.subtracting(covered).sorted { $0.joined() < $1.joined() })")
    }

    /// `delegation list --json` has lists and numbers, and the key ID Notary shows (the canonical
    /// one, as `delegation add` prints it) both as text and in JSON, with the TUF key ID beside it.
    @Test func delegationListShowsNotarysKeyIDWithRealTypes() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let common = ["-d", work.appendingPathComponent("trust").path, "-s", server.url]
        let gun = Self.gun
        func signet(_ arguments: [String]) throws -> CLI.Result { try SignetBinary.run(arguments, environment: CLI.passphrases) }
        #expect(try signet(["init", gun] + common).status == 0)
        let added = try signet(["delegation", "add", gun, "targets/releases", Self.keys.appendingPathComponent("delegation.crt").path, "--all-paths", "--json"] + common)
        let addDocument = try #require(try Self.document(added, "delegation add") as? [String: Any])
        let canonical = try #require((addDocument["keyIDs"] as? [String])?.first)
        let tuf = try #require((addDocument["tufKeyIDs"] as? [String])?.first)
        #expect(canonical != tuf)  // a certificate key: the two IDs differ
        #expect(try signet(["publish", gun] + common).status == 0)

        let listed = try signet(["delegation", "list", gun, "--json"] + common)
        let roles = try #require(try Self.document(listed, "delegation list") as? [[String: Any]])
        let releases = try #require(roles.first { $0["role"] as? String == "targets/releases" })
        #expect(releases["keyIDs"] as? [String] == [canonical], "\(releases)")
        #expect(releases["tufKeyIDs"] as? [String] == [tuf], "\(releases)")
        #expect(releases["threshold"] as? Int == 1, "\(releases)")
        #expect(releases["paths"] as? [String] == [""], "\(releases)")

        let text = try signet(["delegation", "list", gun] + common).stdout
        #expect(text.contains(canonical) && !text.contains(tuf), "\(text)")

        // The real notary client shows the same key ID for the same key.
        let notary = try CLI.run("/usr/bin/notary", ["-d", work.appendingPathComponent("notary").path, "-s", server.url, "delegation", "list", gun])
        #expect(notary.status == 0, "\(notary.stderr)")
        #expect(notary.stdout.contains(canonical) && !notary.stdout.contains(tuf), "\(notary.stdout)")
    }
}
