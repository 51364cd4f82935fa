import FoundationEssentials
import Synchronization

/// Counts failed logins per client address; after `maxFailures` within `window` seconds the
/// address is refused (HTTP 429) for `blockSeconds`, whatever credentials it sends.
final class LoginRateLimiter: Sendable {
    struct Entry {
        var failures: [Double] = []
        var blockedUntil: Double = 0
    }

    let maxFailures: Int
    let window: Double
    let blockSeconds: Double
    private let entries = Mutex<[String: Entry]>([:])

    init(maxFailures: Int, window: Double = 60, blockSeconds: Double = 60) {
        self.maxFailures = maxFailures
        self.window = window
        self.blockSeconds = blockSeconds
    }

    /// The client's IP from `ip:port` / `[ip]:port`.
    static func address(of remote: String) -> String {
        if remote.hasPrefix("["), let end = remote.firstIndex(of: "]") { return String(remote[remote.index(after: remote.startIndex)..<end]) }
        if let colon = remote.lastIndex(of: ":"), remote.firstIndex(of: ":") == colon { return String(remote[..<colon]) }
        return remote
    }

    /// Seconds the address must still wait, or nil when it may try.
    func blocked(_ address: String, now: Double = Date().timeIntervalSince1970) -> Int? {
        entries.withLock { table in
            guard let entry = table[address], entry.blockedUntil > now else { return nil }
            return max(1, Int((entry.blockedUntil - now).rounded(.up)))
        }
    }

    /// Records a failure; returns true when this failure started a block.
    @discardableResult
    func recordFailure(_ address: String, now: Double = Date().timeIntervalSince1970) -> Bool {
        entries.withLock { table in
            if table.count > 10_000 {  // bound memory: forget addresses with nothing recent
                table = table.filter { $0.value.blockedUntil > now || ($0.value.failures.last ?? 0) > now - window }
            }
            var entry = table[address] ?? Entry()
            entry.failures = entry.failures.filter { $0 > now - window } + [now]
            var started = false
            if entry.failures.count >= maxFailures, entry.blockedUntil <= now {
                entry.blockedUntil = now + blockSeconds
                entry.failures = []
                started = true
            }
            table[address] = entry
            return started
        }
    }
}
