/// How far ahead of expiry the client warns and the server renews: the one place both windows
/// and the "expires within" judgement live (issue 17; Notary has neither, notary#598).
///
/// "Expires within `window` seconds at `now`" means `now + window >= expires`, so a role that has
/// already expired is also within every window, and `window` 0 is `Expiry.hasExpired`.
extension Expiry {
    /// The longest window accepted anywhere (`signet expiry --within`, server margins): 100 years,
    /// in seconds. Bounds the arithmetic on a window given from outside.
    public static let maxWindowSeconds: Int64 = 100 * 365 * 86400

    /// The client's warning window (stderr, never the exit code): 30 days, in seconds.
    public static let warningSeconds: Int64 = 30 * 86400

    /// The server's default renewal margin: a role it signs is re-signed once a quarter of its
    /// lifetime (`lifetimeSeconds(of:)`) is left — a timestamp with 3.5 days of its 14 left.
    public static let defaultRenewalPercent = 25

    /// Seconds from `now` until `expires`, rounded down; negative once expired.
    public static func secondsLeft(_ expires: TUFTime, at now: TUFTime) -> Int64 {
        let (difference, overflow) = expires.seconds.subtractingReportingOverflow(now.seconds)
        if overflow { return expires.seconds < now.seconds ? Int64.min : Int64.max }
        // Whole seconds: a later nanosecond part of `now` takes the last partial second away.
        return now.nanoseconds > expires.nanoseconds ? difference - 1 : difference
    }

    /// True when `expires` is at or before `now` plus `seconds` (clamped to 0…`maxWindowSeconds`).
    public static func expiresWithin(_ expires: TUFTime, seconds: Int64, at now: TUFTime) -> Bool {
        let window = min(max(seconds, 0), maxWindowSeconds)
        return hasExpired(expires, at: now.adding(seconds: window))
    }

    /// The lifetime Notary gives `role` when it signs it (root 10 y, targets and delegations 3 y,
    /// snapshot 3 y, timestamp 14 d), in seconds.
    public static func lifetimeSeconds(of role: String) -> Int64 {
        switch role {
        case RoleName.root: return rootSeconds
        case RoleName.snapshot: return snapshotSeconds
        case RoleName.timestamp: return timestampSeconds
        default: return targetsSeconds
        }
    }

    /// The window in which the client warns that `role` expires: `warningSeconds`, or a quarter of
    /// the role's lifetime when that is shorter (the timestamp, whose whole lifetime of 14 days is
    /// inside 30 days: the server re-signs it, and only one it failed to renew is worth a warning).
    public static func warningWindowSeconds(of role: String) -> Int64 {
        min(warningSeconds, lifetimeSeconds(of: role) / 4)
    }

    /// The window `signet expiry --within` judges `role` by: the requested one, except for the
    /// timestamp, whose whole 14-day lifetime lies inside any window of two weeks or more — the
    /// server renews it, so it counts only inside its warning window (`warningWindowSeconds(of:)`,
    /// 3.5 days), where the server should already have renewed it.
    public static func checkWindowSeconds(of role: String, requested seconds: Int64) -> Int64 {
        role == RoleName.timestamp ? min(seconds, warningWindowSeconds(of: role)) : seconds
    }

    /// True when the server should re-sign `role` (timestamp, or a snapshot whose key it holds)
    /// ahead of expiry: it expires within `percent`% of its lifetime from `now`. `percent` 0 means
    /// only once expired; it is clamped to 0…99.
    public static func renewalDue(_ expires: TUFTime, role: String, percent: Int, at now: TUFTime) -> Bool {
        let clamped = Int64(min(max(percent, 0), 99))
        return expiresWithin(expires, seconds: lifetimeSeconds(of: role) / 100 * clamped, at: now)
    }

    /// `seconds` as days for people: one decimal below ten days (rounded down), whole days above —
    /// `2.9 days`, `42 days`, `-1.5 days` once expired.
    public static func daysText(_ seconds: Int64) -> String {
        let days = Double(seconds) / 86400
        if abs(days) < 10 { return "\((days * 10).rounded(.down) / 10) days" }
        return "\(Int64(days)) days"
    }
}
