import Foundation
import Testing

/// `init` needs the server's timestamp key; when it cannot get it, nothing is left behind.
@Suite struct InitFailureTests {
    @Test func initAgainstUnreachableServerLeavesTrustDirEmpty() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let trustDir = work.appendingPathComponent("td")
        let gun = "example.com/unreachable/app"
        for arguments in [["init", gun], ["init", gun, "--server-managed-snapshot"]] {
            let result = try CLI.run(CLI.signet, arguments + ["-d", trustDir.path, "-s", "http://127.0.0.1:1"], environment: CLI.passphrases)
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("cannot reach"), "\(result.stderr)")
            // No orphan root, targets or snapshot key, no cached metadata.
            let files = try TreeChecksum.of(trustDir).keys.sorted()
            #expect(files.isEmpty, "\(arguments): left behind \(files)")
        }
    }

    @Test func initSaysWhetherTheRootKeyWasFoundOrMade() throws {
        let server = try TrustServerKind.signet.start()
        defer { server.stop() }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let opts = ["-d", work.appendingPathComponent("td").path, "-s", server.url]
        let first = try CLI.run(CLI.signet, ["init", "example.com/a/app"] + opts, environment: CLI.passphrases)
        #expect(first.status == 0 && first.stdout.contains("Generated new root key") && !first.stdout.contains("found"), "\(first.stdout)")
        let second = try CLI.run(CLI.signet, ["init", "example.com/b/app"] + opts, environment: CLI.passphrases)
        #expect(second.status == 0 && second.stdout.contains("Root key found, using:"), "\(second.stdout)")
    }
}
