import Glibc
import SignetSupport

/// The `Date` header's value (`HTTPDate`, GMT), formatted at most once per second (one per event
/// loop; not shared between threads).
struct CachedHTTPDate {
    private var second: time_t = -1
    private var text = ""
    private var headerLine: [UInt8] = []

    mutating func now() -> String {
        let current = time(nil)
        if current != second {
            second = current
            text = HTTPDate.format(secondsSinceEpoch: current, zone: .gmt)
            headerLine = Array("Date: \(text)\r\n".utf8)
        }
        return text
    }

    /// The whole `Date: …\r\n` header line, as bytes.
    mutating func line() -> [UInt8] {
        _ = now()
        return headerLine
    }
}
