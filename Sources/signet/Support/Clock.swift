import FoundationEssentials
import SignetTUF

/// The instant every `signet` command takes as now: expiry judgements, the expiry of what it signs,
/// and the clock of `signet serve`.
///
/// **Test-only hook:** when the environment variable `SIGNET_TEST_CLOCK_OFFSET` is set to a whole
/// number of seconds (may be negative), that many seconds are added to the system clock. Tests use
/// it to let a running server and client reach, say, a root's expiry without libfaketime. It is
/// read only when set, and every command that reads the clock then warns on standard error; a value
/// that is not a whole number is ignored. Never set it in production (`verify --at` is the
/// supported way to judge expiry at another instant).
enum Clock {
    static let testOffsetVariable = "SIGNET_TEST_CLOCK_OFFSET"

    /// Seconds added to the system clock (0 unless the test hook is set).
    static let offset: TimeInterval = {
        guard let text = ProcessInfo.processInfo.environment[testOffsetVariable], let seconds = Int64(text), seconds != 0 else { return 0 }
        // Never silent: expiry is judged at another instant than the real one.
        Output.warning("\(testOffsetVariable) is set (tests only): the clock is off by \(seconds) s")
        return TimeInterval(seconds)
    }()

    static func now() -> Date { offset == 0 ? Date() : Date().addingTimeInterval(offset) }

    static func tufNow() -> TUFTime { TUFTime(now()) }
}
