import Foundation
import Testing

/// Issue 17 §1: expiry before it bites. `signet expiry --within` fails (exit 1) naming a role
/// that expires inside the window and how to renew it; `signet serve` re-signs the timestamp
/// ahead of expiry (default: with a quarter of its 14 days left) in a background pass, not only
/// on GET; read commands warn on stderr (never stdout, never the exit code); `signet status`
/// shows the role tree.
///
/// Time is moved with the test-only `SIGNET_TEST_CLOCK_OFFSET` (seconds added to the clocks of
/// `signet serve` and of the client), as `ExpiredRootRecoveryTests` does.
@Suite(.serialized) struct ExpiryCheckTests {
    static let day: Int64 = 86400
    static let digest = "sha256:" + String(repeating: "e7", count: 32)

    final class Setup {
        let work: URL
        let serverDirectory: URL
        let trust: String
        var server: SignetServe?
        var serverOffset: Int64 = 0

        init() throws {
            work = try CLI.temporaryDirectory()
            serverDirectory = work.appendingPathComponent("server")
            trust = work.appendingPathComponent("publisher").path
            try restartServer(at: 0)
        }

        func restartServer(at seconds: Int64) throws {
            _ = server?.stop()
            serverOffset = seconds
            server = try SignetServe(directory: serverDirectory, environment: ["SIGNET_TEST_CLOCK_OFFSET": String(seconds)])
        }

        func signet(_ arguments: [String], at offset: Int64, trustDir: String? = nil) throws -> CLI.Result {
            var environment = CLI.passphrases
            environment["SIGNET_TEST_CLOCK_OFFSET"] = String(offset)
            return try CLI.run(CLI.signet, arguments + ["-d", trustDir ?? trust, "-s", server!.url], environment: environment)
        }

        func publish(_ gun: String) throws {
            for arguments in [["init", gun], ["add", gun, "1.0", "--digest", ExpiryCheckTests.digest, "--size", "10"], ["publish", gun]] {
                let result = try signet(arguments, at: 0)
                try #require(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
            }
        }

        func remove() {
            _ = server?.stop()
            try? FileManager.default.removeItem(at: work)
        }
    }

    /// The timestamp's version in `signet expiry --json` output.
    static func timestampVersion(_ result: CLI.Result) -> Int? {
        guard let document = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let collections = document["collections"] as? [[String: Any]],
              let roles = collections.first?["roles"] as? [[String: Any]] else { return nil }
        return roles.first { $0["role"] as? String == "timestamp" }?["version"] as? Int
    }

    /// The issue's Done-when: a timestamp with 3 days left fails `expiry --within 7d` naming it;
    /// after the server's early re-sign (its clock moved 11 days on, the background pass at start)
    /// the same check passes — no GET of timestamp.json needed to trigger it.
    @Test func timestampWithThreeDaysLeftFailsUntilTheServerRenewsItAhead() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let gun = "example.com/expiry/app"
        try setup.publish(gun)

        let fresh = try setup.signet(["expiry", gun, "--within", "7d"], at: 0)
        #expect(fresh.status == 0, "\(fresh.stdout) \(fresh.stderr)")
        #expect(fresh.stdout.contains("\(gun): no role expires within 7.0 days"), "\(fresh.stdout)")

        // 11 days on for the client only: the timestamp (14 days) has 3 days left.
        let soon = try setup.signet(["expiry", gun, "--within", "7d"], at: 11 * Self.day)
        #expect(soon.status == 1, "\(soon.stdout) \(soon.stderr)")
        #expect(soon.stdout.contains("timestamp of \(gun) (v1) expires "), "\(soon.stdout)")
        #expect(soon.stdout.contains("in 2.9 days") || soon.stdout.contains("in 3.0 days"), "\(soon.stdout)")
        #expect(soon.stdout.contains("renew: the trust server re-signs it"), "\(soon.stdout)")
        #expect(!soon.stdout.contains("targets of"), "only the timestamp is inside 7 days: \(soon.stdout)")
        let soonJSON = try setup.signet(["expiry", gun, "--within", "7d", "--json"], at: 11 * Self.day)
        #expect(soonJSON.status == 1)
        #expect(Self.timestampVersion(soonJSON) == 1, "\(soonJSON.stdout)")

        // The server's clock 11 days on: its renewal pass (at start, then hourly) re-signs the
        // timestamp, which has less than a quarter of its lifetime left.
        try setup.restartServer(at: 11 * Self.day)
        var renewed = soon
        for _ in 0..<100 {
            renewed = try setup.signet(["expiry", gun, "--within", "7d", "--json"], at: 11 * Self.day)
            if renewed.status == 0 { break }
            usleep(200_000)
        }
        #expect(renewed.status == 0, "\(renewed.stdout) \(renewed.stderr)")
        #expect(Self.timestampVersion(renewed) == 2, "\(renewed.stdout)")
    }

    /// Roles the owner must renew: with 20 days of the 3-year targets and snapshot left (the
    /// server keeps the timestamp fresh), `--within 30d` names both with the command that renews
    /// them, `--within 7d` passes, and a read command warns on stderr only, exit code unchanged;
    /// `signet status` shows the tree; after the documented renewal the check passes.
    @Test func ownerRolesNearExpiryNameTheirRenewalAndWarnOnStderr() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let gun = "example.com/expiry/owner"
        try setup.publish(gun)

        let quiet = try setup.signet(["list", gun], at: 0, trustDir: setup.work.appendingPathComponent("reader0").path)
        #expect(quiet.status == 0 && !quiet.stderr.contains("warning"), "\(quiet.stderr)")

        let later = 3 * 365 * Self.day - 20 * Self.day
        try setup.restartServer(at: later)
        let check = try setup.signet(["expiry", gun, "--within", "30d"], at: later)
        #expect(check.status == 1, "\(check.stdout) \(check.stderr)")
        #expect(check.stdout.contains("targets of \(gun) (v1) expires "), "\(check.stdout)")
        #expect(check.stdout.contains("renew: signet witness \(gun) targets && signet publish \(gun)"), "\(check.stdout)")
        #expect(check.stdout.contains("snapshot of \(gun) (v1) expires "), "\(check.stdout)")
        #expect(try setup.signet(["expiry", gun, "--within", "7d"], at: later).status == 0)

        let reader = setup.work.appendingPathComponent("reader1").path
        let list = try setup.signet(["list", gun], at: later, trustDir: reader)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stderr.contains("signet: warning: targets of \(gun) (v1) expires "), "\(list.stderr)")
        #expect(!list.stdout.contains("warning") && !list.stdout.contains("expires"), "\(list.stdout)")
        let json = try setup.signet(["list", gun, "--json"], at: later, trustDir: reader)
        #expect(json.status == 0 && json.stderr.contains("warning: targets of"), "\(json.stderr)")
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil, "stdout stays one JSON document: \(json.stdout)")

        let status = try setup.signet(["status", gun], at: later)
        #expect(status.status == 0, "\(status.stderr)")
        for role in ["root", "targets", "snapshot", "timestamp"] {
            #expect(status.stdout.split(separator: "\n").contains { $0.hasPrefix(role + " ") }, "\(role): \(status.stdout)")
        }
        let targetsRow = status.stdout.split(separator: "\n").first { $0.hasPrefix("targets ") } ?? ""
        #expect(targetsRow.hasSuffix("*"), "the publisher holds the targets key: \(status.stdout)")
        let statusJSON = try setup.signet(["status", gun, "--roles", "--json"], at: later)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(statusJSON.stdout.utf8)) as? [String: Any], "\(statusJSON.stdout)")
        let roles = try #require(document["roles"] as? [[String: Any]])
        #expect(roles.map { $0["role"] as? String ?? "?" } == ["root", "targets", "snapshot", "timestamp"], "\(roles)")
        let targets = try #require(roles.first { $0["role"] as? String == "targets" })
        #expect((targets["daysLeft"] as? Int).map { (19...20).contains($0) } == true, "\(targets)")
        #expect((targets["heldKeys"] as? [String])?.count == 1, "\(targets)")

        for arguments in [["witness", gun, "targets"], ["publish", gun]] {
            let result = try setup.signet(arguments, at: later)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let after = try setup.signet(["expiry", gun, "--within", "30d"], at: later)
        #expect(after.status == 0, "\(after.stdout) \(after.stderr)")
    }

    /// Bad windows are usage errors (exit 2) that name the value; several GUNs are all checked,
    /// and one that is not published fails the run (exit 1) while the others are still reported.
    @Test func windowsAndSeveralCollections() throws {
        let setup = try Setup()
        defer { setup.remove() }
        let gun = "example.com/expiry/one"
        try setup.publish(gun)
        for bad in ["30", "d", "-3d", "30x", "99999999999999d", "40000w"] {
            let result = try setup.signet(["expiry", gun, "--within=\(bad)"], at: 0)
            #expect(result.status == 2, "\(bad): \(result.stderr)")
            #expect(result.stderr.contains("--within \(bad) is not a span"), "\(bad): \(result.stderr)")
        }
        let both = try setup.signet(["expiry", "example.com/expiry/missing", gun], at: 0)
        #expect(both.status == 1, "\(both.stdout) \(both.stderr)")
        #expect(both.stderr.contains("example.com/expiry/missing: "), "\(both.stderr)")
        #expect(both.stdout.contains("\(gun): no role expires within 30 days"), "\(both.stdout)")
    }
}
