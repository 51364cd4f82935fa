import Glibc

/// IMF-fixdate (RFC 9110 §5.6.7) for the `Date` response header, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
///
/// Built by hand from `gmtime_r` so the output never depends on the process locale.
enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The current time as an IMF-fixdate.
    static func now() -> String { format(secondsSinceEpoch: time(nil)) }

    static func format(secondsSinceEpoch: time_t) -> String {
        var seconds = secondsSinceEpoch
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
