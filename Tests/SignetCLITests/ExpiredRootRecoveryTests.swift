import Foundation
import Testing

/// Issue 10 §2 (notary#598): once a collection's root has expired, `signet serve` used to answer
/// `500 UNKNOWN` for timestamp.json and snapshot.json, and the documented recovery failed on the
/// same 500. Now the server keeps serving, the client says the root expired and how to renew it,
/// and both `signet key rotate GUN root` and `signet witness GUN root` + `publish` recover the
/// collection without deleting it.
///
/// Time is moved with the test-only `SIGNET_TEST_CLOCK_OFFSET` (seconds added to the clock of
/// `signet serve` and of the client), not libfaketime.
@Suite(.serialized) struct ExpiredRootRecoveryTests {
    static let year: Int64 = 365 * 86400
    static let digest = "sha256:" + String(repeating: "e1", count: 32)

    @Test func expiredRootIsReportedAndRenewedByRotationOrWitness() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let serverDirectory = work.appendingPathComponent("server")
        try FileManager.default.createDirectory(at: serverDirectory, withIntermediateDirectories: true)
        let rotated = "example.com/expired-root/rotated"
        let witnessed = "example.com/expired-root/witnessed"
        let trust = work.appendingPathComponent("publisher").path

        var server: SignetServe?
        defer { _ = server?.stop() }
        var offset: Int64 = 0
        func restartServer(at seconds: Int64) throws {
            _ = server?.stop()
            offset = seconds
            server = try SignetServe(directory: serverDirectory, environment: ["SIGNET_TEST_CLOCK_OFFSET": String(seconds)])
        }
        func signet(_ arguments: [String], trustDir: String = trust) throws -> CLI.Result {
            var environment = CLI.passphrases
            environment["SIGNET_TEST_CLOCK_OFFSET"] = String(offset)
            return try CLI.run(CLI.signet, arguments + ["-d", trustDir, "-s", server!.url], environment: environment)
        }
        @discardableResult
        func succeed(_ arguments: [String], trustDir: String = trust) throws -> CLI.Result {
            let result = try signet(arguments, trustDir: trustDir)
            #expect(result.status == 0, "signet \(arguments.joined(separator: " ")) at +\(offset)s: \(result.stderr)")
            return result
        }

        try restartServer(at: 0)
        for gun in [rotated, witnessed] {
            try succeed(["init", gun])
            try succeed(["add", gun, "1.0", "--digest", Self.digest, "--size", "10"])
            try succeed(["publish", gun])
        }
        // Targets and snapshot (3-year expiry) are re-signed every 2.5 years up to 9.5 years on;
        // root (10 years) is not.
        for halfYears in [5, 10, 15, 19] {
            try restartServer(at: Int64(halfYears) * Self.year / 2)
            for gun in [rotated, witnessed] {
                try succeed(["witness", gun, "targets"])
                try succeed(["publish", gun])
            }
        }
        // 10.1 years on: the root has expired, everything else is valid.
        try restartServer(at: 101 * Self.year / 10)
        for gun in [rotated, witnessed] {
            let list = try signet(["list", gun], trustDir: work.appendingPathComponent("consumer-before").path)
            #expect(list.status == 1, "\(list.stderr)")
            #expect(!list.stderr.contains("UNKNOWN") && !list.stderr.contains("HTTP 500"), "\(list.stderr)")
            #expect(list.stderr.contains("root v1 of \(gun) expired at"), "\(list.stderr)")
            #expect(list.stderr.contains("signet witness \(gun) root") && list.stderr.contains("signet key rotate \(gun) root"), "\(list.stderr)")
        }

        try succeed(["key", "rotate", rotated, "root"])
        try succeed(["witness", witnessed, "root"])
        try succeed(["publish", witnessed])

        for gun in [rotated, witnessed] {
            let consumer = work.appendingPathComponent("consumer-\(gun.split(separator: "/").last!)").path
            let list = try succeed(["list", gun], trustDir: consumer)
            #expect(list.stdout.contains("1.0"), "\(list.stdout)")
            // The publisher keeps publishing.
            try succeed(["add", gun, "2.0", "--digest", Self.digest, "--size", "20"])
            try succeed(["publish", gun])
            #expect(try succeed(["list", gun], trustDir: consumer).stdout.contains("2.0"))
        }
    }
}
