import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// `Expiry`: the one judgement of metadata expiry (valid strictly before `expires`), the one of
/// certificate validity (X.509: valid through `notAfter`), and Notary's lifetimes.
@Suite struct ExpiryTests {
    static let instant = try! TUFTime(rfc3339: "2026-11-30T12:00:00Z")

    @Test func metadataExpiringExactlyNowHasExpired() throws {
        #expect(Expiry.hasExpired(Self.instant, at: Self.instant))
        #expect(Expiry.hasExpired(Self.instant, at: Self.instant.adding(seconds: 1)))
        #expect(!Expiry.hasExpired(Self.instant.adding(seconds: 1), at: Self.instant))
    }

    @Test func oneNanosecondDecides() throws {
        let later = try TUFTime(rfc3339: "2026-11-30T12:00:00.000000001Z")
        #expect(!Expiry.hasExpired(later, at: Self.instant))
        #expect(Expiry.hasExpired(Self.instant, at: later))
        // The same instant written in another zone is the same instant.
        let sameInAnotherZone = try TUFTime(rfc3339: "2026-11-30T07:00:00-05:00")
        #expect(Expiry.hasExpired(sameInAnotherZone, at: Self.instant))
    }

    /// A freeze exactly at the boundary: a role whose `expires` is the instant of the update is
    /// refused, not accepted for one more instant.
    @Test(arguments: [RoleName.timestamp, RoleName.targets])
    func aRoleExpiringAtTheInstantOfTheUpdateIsRefused(role: String) throws {
        var collection = try TestCollection()
        if role == RoleName.targets { collection.targets.expires = collection.now } else { collection.expires = collection.now }
        let error = try #require(throws: TUFError.self) { try collection.update(try collection.files()) }
        #expect(error.code == .expired && error.role == role, "\(error)")
        #expect(error.message.contains("expired at \(collection.now.text)"), "\(error)")
    }

    @Test func aCertificateIsValidThroughItsNotAfter() {
        let notAfter = Self.instant.date
        #expect(!Expiry.certificateHasExpired(notAfter: notAfter, at: Self.instant))
        #expect(Expiry.certificateHasExpired(notAfter: notAfter, at: Self.instant.adding(seconds: 1)))
    }

    @Test func aCertificateMayStartAtMostOneDayAhead() {
        let oneDay = Double(Expiry.certificateNotBeforeLeewaySeconds)
        #expect(Expiry.certificateNotBeforeLeewaySeconds == 86400)
        #expect(!Expiry.certificateIsNotYetValid(notBefore: Self.instant.date.addingTimeInterval(oneDay), at: Self.instant))
        #expect(Expiry.certificateIsNotYetValid(notBefore: Self.instant.date.addingTimeInterval(oneDay + 1), at: Self.instant))
    }

    /// A root certificate one second past its `notAfter` is refused by the root rules, with the
    /// reason; at its `notAfter` it is still accepted.
    @Test func rootRulesJudgeCertificatesByExpiry() throws {
        let gun = "example.com/test/app"
        let key = try PrivateKey.generate(.ecdsa)
        let notAfter = Self.instant.date
        let certificate = try Certificate.selfSigned(commonName: gun, key: key, notBefore: notAfter.addingTimeInterval(-3600), notAfter: notAfter)
        #expect(RootRules.problem(with: certificate, gun: gun, at: Self.instant) == nil)
        let problem = try #require(RootRules.problem(with: certificate, gun: gun, at: Self.instant.adding(seconds: 1)))
        #expect(problem.hasPrefix("expired at "))
        #expect(RootRules.problem(with: certificate, gun: gun, at: Self.instant.adding(seconds: 1), checkExpiry: false) == nil)
    }

    @Test func lifetimesAreNotarysDefaults() {
        #expect(Expiry.rootSeconds == 10 * 365 * 86400)
        #expect(Expiry.targetsSeconds == 3 * 365 * 86400)
        #expect(Expiry.snapshotSeconds == 3 * 365 * 86400)
        #expect(Expiry.timestampSeconds == 14 * 86400)
    }
}
