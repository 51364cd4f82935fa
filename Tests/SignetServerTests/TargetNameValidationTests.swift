import Foundation
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// The trust server applies the client's target-name rule (`TargetName`, issue 10 §1) to every
/// uploaded targets role: a new bad name is refused with 400 and Notary's envelope
/// (`INVALID_UPDATE`, `ErrBadTargets`), and nothing is stored.
@Suite struct TargetNameValidationTests {
    let helper = PublishValidationTests()

    @Test(arguments: [("", "the target name is empty"), (" ", "starts or ends with white space"),
                      ("1.0\u{7F}", "control character U+007F"), ("v\u{85}1", "control character U+0085"), (String(repeating: "x", count: 1025), "the limit is 1024")])
    func publishWithABadTargetNameIsRefused(_ name: String, _ reason: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let repo = try PublishValidationTests.Repo(timestampKey: try helper.timestampKey(server))
        let root = try repo.root(), targets = try repo.targets(names: ["latest", name])
        let response = try helper.publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))])
        #expect(response.status == 400, "\(response.bodyText)")
        #expect(Probe.errorCode(response.bodyText) == "INVALID_UPDATE", "\(response.bodyText)")
        #expect(helper.detail(response).name == "ErrBadTargets")
        #expect(helper.detail(response).message?.hasPrefix("targets: ") == true && helper.detail(response).message?.contains(reason) == true,
                "\(response.bodyText)")
        #expect(try server.get("/v2/\(PublishValidationTests.gun)/_trust/tuf/root.json").status == 404, "nothing stored")
    }

    /// A name already in the stored role (written before the rule, or by notary-server) does not
    /// block a later publish of that role, and can be removed.
    @Test func aStoredBadNameDoesNotBlockTheCollection() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let repo = try PublishValidationTests.Repo(timestampKey: try helper.timestampKey(server))
        let root = try repo.root(), targets = try repo.targets(names: ["latest"])
        #expect(try helper.publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))]).status == 200)
        // Plant a legacy name directly in storage, as an older server would have accepted it.
        let legacy = try repo.targets(version: 2, names: ["latest", " legacy"])
        try server.trust.store.withWriteLock(gun: PublishValidationTests.gun) {
            try server.trust.store.commit(gun: PublishValidationTests.gun, updates: [MetadataUpdate(role: "targets", version: 2, bytes: legacy)])
        }
        let kept = try repo.targets(version: 3, names: ["latest", " legacy", "2.0"])
        var response = try helper.publish(server, [("targets", kept), ("snapshot", try repo.snapshot(version: 2, root: root, targets: kept))])
        #expect(response.status == 200, "\(response.bodyText)")
        let added = try repo.targets(version: 4, names: ["latest", " legacy", " another"])
        response = try helper.publish(server, [("targets", added), ("snapshot", try repo.snapshot(version: 3, root: root, targets: added))])
        #expect(response.status == 400 && helper.detail(response).message?.contains("\" another\"") == true, "\(response.bodyText)")
        let removed = try repo.targets(version: 4, names: ["latest"])
        response = try helper.publish(server, [("targets", removed), ("snapshot", try repo.snapshot(version: 3, root: root, targets: removed))])
        #expect(response.status == 200, "\(response.bodyText)")
    }

    /// Whether a new bad name was already in the stored role is read from storage; when that read
    /// fails the failure is the answer, never swallowed into "not stored before": a stored role
    /// that does not parse is named in the 400, a stored version file that is gone is the storage's
    /// error (500 `UNKNOWN`, as `ErrorResponse` maps a corrupt store), and nothing is stored.
    @Test(arguments: PublishValidationTests.StoredDamage.allCases)
    func aStoredRoleThatCannotBeReadIsTheAnswerNotSwallowed(_ damage: PublishValidationTests.StoredDamage) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let (server, repo, root, _) = try helper.publishedWithDamagedTargets(damage, scratch: scratch) { try $0.targets(names: ["latest"]) }
        defer { server.stop() }
        let next = try repo.targets(version: damage == .unparsable ? 3 : 2, names: ["latest", " blank"])
        let response = try helper.publish(server, [("targets", next), ("snapshot", try repo.snapshot(version: 2, root: root, targets: next))])
        switch damage {
        case .unparsable:
            #expect(response.status == 400 && helper.detail(response).name == "ErrBadTargets", "\(response.bodyText)")
            let message = helper.detail(response).message ?? ""
            #expect(message.contains("target name \" blank\" starts or ends with white space"), "\(message)")
            #expect(message.contains("the stored targets, which might hold that name, is invalid: targets metadata is not valid JSON"), "\(message)")
        case .missing:
            #expect(response.status == 500 && Probe.errorCode(response.bodyText) == "UNKNOWN", "\(response.status) \(response.bodyText)")
        }
        let current = try server.get("/v2/\(PublishValidationTests.gun)/_trust/tuf/targets.json")
        #expect(!current.bodyText.contains(" blank"), "nothing stored: \(current.bodyText)")
    }

    /// The real notary 0.7 client stages and signs any name; `signet serve` refuses the publish
    /// and stores nothing, and the client shows the server's reason.
    @Test func notaryClientPublishingABlankTagIsRefused() throws {
        guard AuthFixture.notaryInstalled() else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try ServerProcess(storage: scratch.path + "/data")
        defer { server.stop() }
        let gun = "example.com/names/app", trust = scratch.path + "/trust"
        try AuthFixture.write("hello\n", to: scratch.path + "/hello.txt")
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: nil, ["init", "-p", gun]).status == 0)
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: nil, ["add", gun, " ", scratch.path + "/hello.txt"]).status == 0)
        let published = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: nil, ["publish", gun])
        #expect(published.status == 1, "\(published.stdout) \(published.stderr)")
        #expect((published.stdout + published.stderr).contains(#"The targets metadata is invalid: targets: target name " " starts or ends with white space"#), "\(published.stdout) \(published.stderr)")
        let targets = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/\(gun)/_trust/tuf/targets.json")
        let stored = try JSONParser.parse(targets.body)["signed"]?["targets"]?.objectValue ?? [:]
        #expect(targets.status == 200 && stored.isEmpty, "the blank tag was stored: \(targets.bodyText)")
    }
}
