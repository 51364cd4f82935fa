import Glibc
import SignetSupport

/// The `Date` header's value (`HTTPDate`, GMT), formatted at most once per second (one per event
/// loop; not shared between threads).
struct CachedHTTPDate {
    private var second: time_t = -1
    private var text = ""

    mutating func now() -> String {
        let current = time(nil)
        if current != second {
            second = current
            text = HTTPDate.format(secondsSinceEpoch: current, zone: .gmt)
        }
        return text
    }
}
