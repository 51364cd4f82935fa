import SignetTUF

/// A span of time typed on the command line (`signet expiry --within 30d`): a whole number
/// followed by `s`, `m`, `h`, `d` (days) or `w` (weeks), at most `Expiry.maxWindowSeconds`
/// (100 years).
enum DurationText {
    /// Seconds in `text`, or nil when it is not `<digits><unit>` or is longer than 100 years.
    static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, let scale = units[unit] else { return nil }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.utf8.count <= 12, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let count = Int64(digits) else { return nil }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, seconds <= Expiry.maxWindowSeconds else { return nil }
        return seconds
    }

    static let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400]
}
