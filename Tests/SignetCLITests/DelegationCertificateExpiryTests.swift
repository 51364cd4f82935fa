import Foundation
import SignetTestSupport
import Testing

/// `delegation add` with a certificate judges its expiry as every other certificate check does
/// (`Expiry.certificateHasExpired`, RFC 5280 §4.1.2.5, Notary's `now > NotAfter`): still valid at
/// the `notAfter` second itself, expired one second later. The clock is frozen at those exact
/// instants with libfaketime (`faketime -f`), so the boundary is hit to the nanosecond.
@Suite struct DelegationCertificateExpiryTests {
    @Test func aCertificateIsValidAtItsNotAfterSecondAndExpiredAfterIt() throws {
        guard RequiredTool.isInstalled("/usr/bin/faketime"), RequiredTool.isInstalled("/usr/bin/openssl") else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let certificate = work.appendingPathComponent("delegate.crt").path
        let made = try CLI.run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=delegate",
                                                    "-days", "30", "-keyout", work.appendingPathComponent("delegate.key").path, "-out", certificate])
        try #require(made.status == 0, "\(made.stderr)")
        let end = try CLI.run("/usr/bin/openssl", ["x509", "-in", certificate, "-noout", "-enddate"])
        let text = try #require(end.stdout.split(separator: "=").last?.trimmingCharacters(in: .whitespacesAndNewlines))
        let parser = DateFormatter()
        parser.locale = Locale(identifier: "en_US_POSIX")
        parser.timeZone = TimeZone(identifier: "UTC")
        parser.dateFormat = "MMM d HH:mm:ss yyyy 'GMT'"
        let notAfter = try #require(parser.date(from: text.replacingOccurrences(of: "  ", with: " ")), "\(text)")
        let frozen = DateFormatter()
        frozen.locale = Locale(identifier: "en_US_POSIX")
        frozen.timeZone = TimeZone(identifier: "UTC")
        frozen.dateFormat = "yyyy-MM-dd HH:mm:ss"

        func add(at instant: Date) throws -> CLI.Result {
            try CLI.run("/usr/bin/faketime", ["-f", frozen.string(from: instant), CLI.signet, "delegation", "add", "example.com/cert-expiry/app", "targets/releases",
                                              certificate, "--all-paths", "-d", work.appendingPathComponent("trust").path], environment: ["TZ": "UTC"])
        }
        let atNotAfter = try add(at: notAfter)
        #expect(atNotAfter.status == 0, "valid through its notAfter second: \(atNotAfter.stderr)")
        let after = try add(at: notAfter.addingTimeInterval(1))
        #expect(after.status == 2, "\(after.stderr)")
        let stamp = ISO8601DateFormatter().string(from: notAfter)
        #expect(after.stderr == "signet: certificate \(certificate) expired at \(stamp)\n", "\(after.stderr)")
    }
}
