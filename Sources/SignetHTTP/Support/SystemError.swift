import Glibc

/// Text for an `errno` value, for error messages ("Connection refused").
func errnoDescription(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "errno \(code)" }
    return String(cString: text)
}

/// Seconds on the monotonic clock; only differences are meaningful. Used for deadlines and durations
/// so that wall-clock jumps cannot extend or cut a timeout.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1_000_000_000
}
