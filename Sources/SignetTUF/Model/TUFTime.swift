import FoundationEssentials

/// An instant written as RFC 3339, as in TUF `expires` fields.
///
/// Parsing accepts what Go's `time.RFC3339Nano` writes and Notary emits: any zone offset (`Z`,
/// `-05:00`) and 0–9 fractional digits (`2018-08-03T15:48:41.776179945Z`,
/// `2025-08-07T20:36:33.117452-07:00`). The source text is kept so that re-serialising a parsed
/// file gives back its bytes. New times are written as Go does in UTC: nanoseconds with trailing
/// zeros trimmed and `Z`.
public struct TUFTime: Sendable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// 0 ..< 1_000_000_000.
    public let nanoseconds: Int32
    /// The RFC 3339 text as read or written.
    public let text: String

    /// Parses RFC 3339 text. Throws `TUFError(.malformed)` naming the text.
    public init(rfc3339 text: String) throws {
        guard let (seconds, nanos) = TUFTime.parse(Array(text.utf8)) else {
            throw TUFError(.malformed, "\"\(text)\" is not an RFC 3339 time")
        }
        self.seconds = seconds
        self.nanoseconds = nanos
        self.text = text
    }

    /// The instant `date`, written as Go writes UTC times.
    public init(_ date: Date) {
        let (whole, nanos) = TUFTime.components(of: date)
        self.seconds = whole
        self.nanoseconds = nanos
        self.text = TUFTime.format(seconds: whole, nanoseconds: nanos)
    }

    /// Whether this instant is at or before `date` (`self <= TUFTime(date)`), without writing the
    /// RFC 3339 text a `TUFTime` carries: for checks made on every request.
    public func isAtOrBefore(_ date: Date) -> Bool {
        let (whole, nanos) = TUFTime.components(of: date)
        return (seconds, nanoseconds) <= (whole, nanos)
    }

    /// `date` as whole seconds since 1970 and nanoseconds (0 ..< 1_000_000_000), rounded to the
    /// nearest nanosecond.
    private static func components(of date: Date) -> (Int64, Int32) {
        let interval = date.timeIntervalSince1970
        var whole = Int64(interval.rounded(.down))
        var nanos = Int32(((interval - Double(whole)) * 1_000_000_000).rounded())
        if nanos >= 1_000_000_000 { whole += 1; nanos -= 1_000_000_000 }
        return (whole, nanos)
    }

    /// The instant as a Foundation date (sub-microsecond precision may be lost).
    public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1_000_000_000) }

    public var description: String { text }

    public static func < (lhs: TUFTime, rhs: TUFTime) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public static func == (lhs: TUFTime, rhs: TUFTime) -> Bool {
        lhs.seconds == rhs.seconds && lhs.nanoseconds == rhs.nanoseconds
    }

    /// `self` plus a number of seconds.
    public func adding(seconds delta: Int64) -> TUFTime {
        TUFTime(seconds: seconds + delta, nanoseconds: nanoseconds)
    }

    private init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.text = TUFTime.format(seconds: seconds, nanoseconds: nanoseconds)
    }

    // MARK: - Parsing and formatting without a calendar (proleptic Gregorian, UTC)

    private static func parse(_ b: [UInt8]) -> (Int64, Int32)? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<(start + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard b.count >= 20,
              let year = digits(0, 4), b[4] == UInt8(ascii: "-"),
              let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
              let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = digits(11, 2), b[13] == UInt8(ascii: ":"),
              let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
              let second = digits(17, 2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        var index = 19
        var nanos = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var count = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                guard count < 9 else { return nil }
                nanos = nanos * 10 + Int(b[index] - 48)
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanos *= 10 }
        }
        guard index < b.count else { return nil }
        var offset = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                  let om = digits(index + 4, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (seconds, Int32(nanos))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func format(seconds: Int64, nanoseconds: Int32) -> String {
        let days = Int((Double(seconds) / 86400).rounded(.down))
        let secondOfDay = Int(seconds - Int64(days) * 86400)
        let (y, m, d) = civilFromDays(days)
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if nanoseconds > 0 {
            var fraction = pad(Int(nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }
}
