import SignetTUF
import Testing

/// `Expiry+Ahead.swift`: the windows ahead of expiry (client warnings, `signet expiry --within`,
/// the server's renewal margin) and their arithmetic on outside values.
@Suite struct ExpiryAheadTests {
    static let now = try! TUFTime(rfc3339: "2026-01-01T00:00:00Z")

    @Test func withinIsInclusiveAndCoversExpiredRoles() throws {
        let inThreeDays = Self.now.adding(seconds: 3 * 86400)
        #expect(Expiry.expiresWithin(inThreeDays, seconds: 3 * 86400, at: Self.now))
        #expect(!Expiry.expiresWithin(inThreeDays, seconds: 3 * 86400 - 1, at: Self.now))
        #expect(Expiry.expiresWithin(Self.now.adding(seconds: -1), seconds: 0, at: Self.now))
        #expect(Expiry.secondsLeft(inThreeDays, at: Self.now) == 3 * 86400)
        #expect(Expiry.secondsLeft(Self.now, at: inThreeDays) == -3 * 86400)
    }

    /// A window from outside is clamped (0 … 100 years), never overflowing `TUFTime` arithmetic.
    @Test func hugeAndNegativeWindowsAreClamped() throws {
        let far = try TUFTime(rfc3339: "9999-12-31T23:59:59Z")
        #expect(!Expiry.expiresWithin(far, seconds: Int64.max, at: Self.now))
        #expect(!Expiry.expiresWithin(Self.now.adding(seconds: 1), seconds: Int64.min, at: Self.now))
    }

    /// Default margin: a quarter of the lifetime (3.5 of the timestamp's 14 days); the client warns
    /// 30 days ahead, or a quarter of the lifetime when shorter.
    @Test func renewalMarginAndWarningWindow() {
        let timestamp = Self.now.adding(seconds: 3 * 86400 + 43200)
        #expect(Expiry.renewalDue(timestamp, role: RoleName.timestamp, percent: 25, at: Self.now))
        #expect(!Expiry.renewalDue(timestamp.adding(seconds: 1), role: RoleName.timestamp, percent: 25, at: Self.now))
        #expect(!Expiry.renewalDue(timestamp, role: RoleName.timestamp, percent: 0, at: Self.now))
        #expect(Expiry.renewalDue(Self.now, role: RoleName.timestamp, percent: 0, at: Self.now))
        #expect(Expiry.warningWindowSeconds(of: RoleName.timestamp) == 3 * 86400 + 43200)
        #expect(Expiry.warningWindowSeconds(of: RoleName.targets) == 30 * 86400)
        #expect(Expiry.warningWindowSeconds(of: "targets/releases") == 30 * 86400)
        // `signet expiry --within`: the timestamp, which the server renews, only inside its own window.
        #expect(Expiry.checkWindowSeconds(of: RoleName.timestamp, requested: 30 * 86400) == 3 * 86400 + 43200)
        #expect(Expiry.checkWindowSeconds(of: RoleName.timestamp, requested: 86400) == 86400)
        #expect(Expiry.checkWindowSeconds(of: RoleName.targets, requested: 60 * 86400) == 60 * 86400)
    }
}
