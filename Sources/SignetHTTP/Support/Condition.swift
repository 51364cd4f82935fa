import FoundationEssentials
import Glibc

/// A mutex with a condition variable (full Foundation's `NSCondition`, which `FoundationEssentials`
/// lacks). Timed waits run on the monotonic clock, so wall-clock jumps do not stretch them.
final class Condition: @unchecked Sendable {
    // @unchecked Sendable: the pthread mutex is the synchronisation.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }

    func unlock() { pthread_mutex_unlock(mutex) }

    /// Wakes every waiter. Call with the lock held.
    func broadcast() { pthread_cond_broadcast(condition) }

    /// Waits for a `broadcast` (or a spurious wake-up). Call with the lock held.
    func wait() { pthread_cond_wait(condition, mutex) }

    /// Waits for a `broadcast`, a spurious wake-up, or `deadline`. Call with the lock held.
    /// - Returns: false when the deadline passed.
    @discardableResult
    func wait(until deadline: Date) -> Bool {
        let seconds = max(0, deadline.timeIntervalSinceNow)
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let whole = seconds.rounded(.down)
        var nanoseconds = now.tv_nsec + Int((seconds - whole) * 1_000_000_000)
        var end = timespec(tv_sec: now.tv_sec + Int(min(whole, Double(Int32.max))), tv_nsec: 0)
        if nanoseconds >= 1_000_000_000 {
            nanoseconds -= 1_000_000_000
            end.tv_sec += 1
        }
        end.tv_nsec = nanoseconds
        return pthread_cond_timedwait(condition, mutex, &end) != ETIMEDOUT
    }
}
