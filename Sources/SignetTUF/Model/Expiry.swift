import FoundationEssentials

/// When a role's metadata has expired, and how long new metadata lives: the one place client,
/// server and editor take both from.
///
/// Judging (TUF 1.0 §5, the freeze-attack check of each role): metadata is valid
/// strictly before its `expires` instant and expired from that instant on (`now >= expires`), at
/// nanosecond precision (`TUFTime`). The same comparison decides whether the client refuses a
/// role, skips a delegation, the server refuses an upload, and the server re-signs its snapshot
/// or timestamp.
///
/// Root certificates are judged here too, on X.509's boundary rather than TUF's (see
/// `certificateHasExpired`).
///
/// Lifetimes are Notary 0.7's defaults, which its client and server write (reference §3.3, and
/// §2.3 for what the server re-signs), in seconds from the instant of signing; years are 365 days.
public enum Expiry {
    /// Root: 10 years.
    public static let rootSeconds: Int64 = 10 * 365 * 86400
    /// Targets and every delegation: 3 years.
    public static let targetsSeconds: Int64 = 3 * 365 * 86400
    /// Snapshot, whether the client or the server signs it: 3 years.
    public static let snapshotSeconds: Int64 = 3 * 365 * 86400
    /// Timestamp, which the server re-signs: 14 days.
    public static let timestampSeconds: Int64 = 14 * 86400

    /// True when metadata whose `expires` field is `expires` has expired at `now`:
    /// `now >= expires`. Metadata expiring exactly at `now` has expired.
    public static func hasExpired(_ expires: TUFTime, at now: TUFTime) -> Bool {
        now >= expires
    }

    /// How far ahead of `now` a certificate's `notBefore` may lie and still be used: one day, in
    /// seconds (Notary's allowance for clock skew, reference §3.10).
    public static let certificateNotBeforeLeewaySeconds: Int64 = 86400

    /// True when a certificate whose validity ends at `notAfter` has expired at `now`:
    /// `notAfter < now`. Unlike metadata, a certificate is still valid at its `notAfter` instant
    /// (RFC 5280 §4.1.2.5: the validity period includes both dates; Notary refuses
    /// `now > NotAfter`, reference §3.10).
    public static func certificateHasExpired(notAfter: Date, at now: TUFTime) -> Bool {
        notAfter < now.date
    }

    /// True when a certificate whose validity starts at `notBefore` is not valid yet at `now`:
    /// `notBefore` more than `certificateNotBeforeLeewaySeconds` after `now`.
    public static func certificateIsNotYetValid(notBefore: Date, at now: TUFTime) -> Bool {
        notBefore > now.date.addingTimeInterval(Double(certificateNotBeforeLeewaySeconds))
    }
}
