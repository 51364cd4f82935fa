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
}
