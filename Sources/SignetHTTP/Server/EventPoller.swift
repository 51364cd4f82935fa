import CEpoll
import Glibc

/// A level-triggered epoll instance plus an eventfd that any thread may write to wake it
/// (`epoll(7)`, `eventfd(2)`). Registrations carry a 64-bit token, never the fd alone, so an event
/// still queued for a connection that was closed (and whose fd number was reused) in the same batch is
/// recognised as stale. Used by one `ServerLoop` thread; `wake()` is the only call for other threads.
final class EventPoller: @unchecked Sendable {
    // @unchecked Sendable: the descriptors are immutable; `wake()` is a write(2) to the eventfd, safe from
    // any thread; everything else is called by the loop thread only.
    static let wakeToken: UInt64 = 0
    static let readable = EPOLLIN.rawValue
    static let writable = EPOLLOUT.rawValue

    private let epollFD: Int32
    private let wakeFD: Int32
    private let events: UnsafeMutablePointer<epoll_event>
    /// Most events one `wait` reports.
    let capacity = 512
    /// How many events the current (or last) `wait` reported: `capacity` when the loop is behind.
    private(set) var batchSize = 0

    /// - Throws: `HTTPError(.bind)` when the epoll instance or the eventfd cannot be created (out of
    ///   descriptors).
    init() throws {
        let epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw HTTPError(.bind, "epoll_create1 failed: \(errnoDescription(errno))") }
        let wakeFD = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeFD >= 0 else {
            let error = errnoDescription(errno)
            Glibc.close(epollFD)
            throw HTTPError(.bind, "eventfd failed: \(error)")
        }
        guard shim_epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, Self.readable, Self.wakeToken) == 0 else {
            let error = errnoDescription(errno)
            Glibc.close(wakeFD)
            Glibc.close(epollFD)
            throw HTTPError(.bind, "epoll_ctl failed: \(error)")
        }
        self.epollFD = epollFD
        self.wakeFD = wakeFD
        events = .allocate(capacity: capacity)
    }

    deinit { events.deallocate() }

    /// Registers `fd` for `interest` (`readable` / `writable`); false when epoll refuses (errno set).
    func add(_ fd: Int32, token: UInt64, interest: UInt32) -> Bool {
        shim_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, interest, token) == 0
    }

    func modify(_ fd: Int32, token: UInt64, interest: UInt32) -> Bool {
        shim_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, interest, token) == 0
    }

    func remove(_ fd: Int32) {
        _ = shim_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Waits up to `milliseconds` (0 polls) and calls `body(token, flags)` for each ready registration;
    /// the wake eventfd is drained and reported as `wakeToken`.
    func wait(milliseconds: Int32, _ body: (UInt64, UInt32) -> Void) {
        let count = epoll_wait(epollFD, events, Int32(capacity), milliseconds)
        batchSize = max(0, Int(count))
        guard count > 0 else { return }  // timeout, or EINTR
        for index in 0..<Int(count) {
            let token = shim_epoll_event_token(events + index)
            if token == Self.wakeToken {
                var counter: UInt64 = 0
                _ = read(wakeFD, &counter, MemoryLayout<UInt64>.size)
            }
            body(token, shim_epoll_event_flags(events + index))
        }
    }

    /// Makes a current or the next `wait` return. Any thread; only while the poller is open.
    func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    /// Closes both descriptors. Call once, from the loop thread, after which nobody may `wake()`.
    func close() {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }
}
