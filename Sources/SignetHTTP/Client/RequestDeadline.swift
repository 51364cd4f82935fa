import Glibc

/// The one deadline of a client request: connect, TLS handshake, sending the request, the response
/// head and the response body all share it, so a server that answers one byte at a time cannot
/// stretch a request past it (TUF specification §1.5.2, slow-retrieval and endless-data attacks).
///
/// No separate minimum transfer rate: the response body is capped in bytes (`maxResponseBytes`)
/// and the whole request in seconds by this deadline, which bounds a slow body as tightly as a
/// rate would. A legitimately slow download needs a longer deadline (`--timeout`), not a rate.
///
/// The socket under a request with a deadline is non-blocking; `wait` is the only place it blocks.
struct RequestDeadline: Sendable {
    /// The budget in seconds, as given (shown in messages).
    let seconds: Double
    /// Monotonic seconds (`monotonicSeconds()`) at which the request must be complete.
    let end: Double

    init(seconds: Double) {
        self.seconds = seconds
        end = monotonicSeconds() + seconds
    }

    /// Seconds left, never below 0.
    var remaining: Double { max(0, end - monotonicSeconds()) }

    /// Waits until `fd` is readable (`POLLIN`) or writable (`POLLOUT`), or has an error or hang-up
    /// (the next read or write reports it).
    /// - Throws: `HTTPError(.timeout)` once the deadline has passed (the caller names the phase);
    ///   `.io` when `poll` itself fails.
    func wait(_ fd: Int32, for events: Int16) throws {
        while true {
            let left = end - monotonicSeconds()
            guard left > 0 else { throw HTTPError(.timeout, "deadline of \(Self.format(seconds)) passed") }
            var poller = pollfd(fd: fd, events: events, revents: 0)
            let milliseconds = Int32(min(Double(Int32.max), (left * 1000).rounded(.up)))
            let ready = poll(&poller, 1, max(1, milliseconds))
            if ready > 0 { return }
            if ready < 0 && errno != EINTR { throw HTTPError(.io, "poll failed: \(errnoDescription(errno))") }
        }
    }

    /// `2 s`, `0.5 s`: seconds as people write them in messages.
    static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && seconds < 1e15 ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}

extension RequestDeadline {
    /// Where in a request the deadline can pass; named in the timeout's message.
    enum Phase: String, Sendable {
        case connecting = "while connecting"
        case tlsHandshake = "during the TLS handshake"
        case sendingRequest = "while sending the request"
        case responseHead = "waiting for the response head"
        case responseBody = "while reading the response body"
    }

    /// Runs `body`; a `.timeout` it throws becomes `request to HOST timed out after N s PHASE`.
    func during<T>(_ phase: Phase, host: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HTTPError where error.code == .timeout {
            throw HTTPError(.timeout, "request to \(host) timed out after \(Self.format(seconds)) \(phase.rawValue)")
        }
    }
}
