import Glibc

/// RFC 1123 dates as Notary's HTTP responses carry them, the one formatter for both of its forms:
///
/// - `Date` (every response): Go's `net/http` `TimeFormat`, the IMF-fixdate of RFC 9110 §5.6.7,
///   `Sun, 06 Nov 1994 08:49:37 GMT` — `HTTPDate.format(secondsSinceEpoch:zone: .gmt)`, `now()`.
/// - `Last-Modified` (metadata GETs): notary-server formats it with Go's `time.RFC1123` in UTC,
///   which prints the zone's name, `Sun, 06 Nov 1994 08:49:37 UTC` (reference §2.5) — `.utc`.
///
/// Built by hand from `gmtime_r` so the output never depends on the process locale.
package enum HTTPDate {
    /// The zone name written at the end.
    package enum Zone: String, Sendable {
        /// `GMT`: the `Date` header (IMF-fixdate).
        case gmt = "GMT"
        /// `UTC`: notary-server's `Last-Modified` (Go `time.RFC1123` of a UTC time).
        case utc = "UTC"
    }

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The current time for the `Date` header (`GMT`).
    package static func now() -> String { format(secondsSinceEpoch: time(nil), zone: .gmt) }

    /// `secondsSinceEpoch` (whole seconds since 1970-01-01T00:00:00Z) as `Www, DD Mon YYYY HH:MM:SS <zone>`.
    package static func format(secondsSinceEpoch: time_t, zone: Zone = .gmt) -> String {
        var seconds = secondsSinceEpoch
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) \(zone.rawValue)"
    }

    /// Reads either form back (`Www, DD Mon YYYY HH:MM:SS GMT` or `… UTC`, exactly as written
    /// above; the weekday is not checked): whole seconds since 1970, or nil for anything else —
    /// including Go's zero time `Mon, 01 Jan 0001 00:00:00 UTC`, which notary-server writes when it
    /// does not know the time (reference §2.5).
    package static func parse(_ text: String) -> Int64? {
        let fields = text.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].utf8.count == 4, fields[0].hasSuffix(","), fields[5] == "GMT" || fields[5] == "UTC",
              fields[1].utf8.count == 2, let day = Int32(fields[1]), (1...31).contains(day),
              let month = months.firstIndex(of: String(fields[2])),
              fields[3].utf8.count == 4, let year = Int32(fields[3]), year >= 1970 else { return nil }
        let clock = fields[4].split(separator: ":", omittingEmptySubsequences: false)
        guard clock.count == 3, clock.allSatisfy({ $0.utf8.count == 2 }), let hour = Int32(clock[0]), let minute = Int32(clock[1]),
              let second = Int32(clock[2]), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = Int32(month)
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Int64(timegm(&parts))
    }
}
