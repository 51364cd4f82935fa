import FoundationEssentials
import Glibc
import SignetCrypto

/// A small pool of `PostgresConnection`s with reconnection and backoff.
///
/// - At most `capacity` connections are open; a caller that finds them all busy waits up to
///   `waitSeconds` for one, then gets `PostgresFailure(.unavailable)`.
/// - An idle connection is checked before reuse (`PostgresConnection.isUsable`) and dropped if
///   it broke; one the server closed without the check noticing fails on its first statement, and
///   a body that changed nothing yet says so (`NothingDone`) and runs again on a new connection.
///   So a restarted database is used again without re-creating the store, and without an error.
/// - When connecting fails, further attempts wait: 50 ms after the first failure, doubling up to
///   2 s. Inside that window callers fail at once with `.unavailable` (the server answers 503)
///   instead of piling up on a database that is down.
final class PostgresPool: @unchecked Sendable {
    // @unchecked Sendable: `idle`, `open`, `failures` and `retryAfter` are only touched under `mutex`.
    let parameters: PostgresConnectionParameters
    let capacity: Int
    let waitSeconds: Int
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let released = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var failures = 0
    private var retryAfter: ContinuousClock.Instant?

    static let firstBackoff = Duration.milliseconds(50)
    static let maxBackoff = Duration.seconds(2)

    init(parameters: PostgresConnectionParameters, capacity: Int, waitSeconds: Int = 10) {
        self.parameters = parameters
        self.capacity = max(1, capacity)
        self.waitSeconds = max(1, waitSeconds)
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(released, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        idle.removeAll()
        pthread_cond_destroy(released)
        pthread_mutex_destroy(mutex)
        released.deallocate()
        mutex.deallocate()
    }

    /// What a `withConnection` body throws when its connection was lost before the body changed
    /// anything (a read, or `BEGIN`): the pool then runs the body once more on a new connection if
    /// the lost one came from the idle list (the server restarted since), else throws `failure`.
    struct NothingDone: Error {
        var failure: PostgresFailure
    }

    /// Runs `body` with a connection of its own. A connection that broke during `body` (libpq saw
    /// it fail, or a transaction was left open) is closed instead of going back to the pool.
    /// - Throws: `PostgresFailure(.unavailable)` when no connection can be had; whatever `body`
    ///   throws (a `NothingDone` as its `failure`).
    func withConnection<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let (connection, reused) = try checkOut(reuse: true)
        do {
            defer { checkIn(connection) }
            return try body(connection)
        } catch let lost as NothingDone {
            guard reused else { throw lost.failure }
            // The idle connections predate the same restart: drop them all.
            dropIdle()
            let (fresh, _) = try checkOut(reuse: false)
            defer { checkIn(fresh) }
            do { return try body(fresh) } catch let again as NothingDone { throw again.failure }
        }
    }

    private func dropIdle() {
        pthread_mutex_lock(mutex)
        open -= idle.count
        idle.removeAll()
        pthread_cond_broadcast(released)
        pthread_mutex_unlock(mutex)
    }

    /// A connection, and whether it was idle in the pool (rather than just opened).
    private func checkOut(reuse: Bool) throws -> (PostgresConnection, Bool) {
        pthread_mutex_lock(mutex)
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        deadline.tv_sec += waitSeconds
        while true {
            while reuse, let candidate = idle.popLast() {
                // The check reads only what the socket already holds (no round trip).
                if candidate.isUsable {
                    pthread_mutex_unlock(mutex)
                    return (candidate, true)
                }
                open -= 1
            }
            if open < capacity { break }
            if pthread_cond_timedwait(released, mutex, &deadline) == ETIMEDOUT {
                pthread_mutex_unlock(mutex)
                throw PostgresFailure(.unavailable, "all \(capacity) connections to the \(parameters) stayed busy for \(waitSeconds) s")
            }
        }
        if let retryAfter, ContinuousClock.now < retryAfter {
            pthread_mutex_unlock(mutex)
            throw PostgresFailure(.unavailable, "the \(parameters) was unreachable a moment ago; retrying shortly")
        }
        open += 1
        pthread_mutex_unlock(mutex)
        do {
            let connection = try PostgresConnection(parameters)
            pthread_mutex_lock(mutex)
            failures = 0
            retryAfter = nil
            pthread_mutex_unlock(mutex)
            return (connection, false)
        } catch {
            pthread_mutex_lock(mutex)
            open -= 1
            failures = min(failures + 1, 16)
            var backoff = Self.firstBackoff
            for _ in 1..<failures where backoff < Self.maxBackoff { backoff *= 2 }
            retryAfter = ContinuousClock.now + min(backoff, Self.maxBackoff)
            pthread_cond_signal(released)
            pthread_mutex_unlock(mutex)
            throw error
        }
    }

    private func checkIn(_ connection: PostgresConnection) {
        pthread_mutex_lock(mutex)
        if connection.isUsable { idle.append(connection) } else { open -= 1 }
        pthread_cond_signal(released)
        pthread_mutex_unlock(mutex)
    }
}
