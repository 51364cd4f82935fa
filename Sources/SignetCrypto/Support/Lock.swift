import Glibc

/// A pthread mutex for short critical sections, shared by every Signet module (full Foundation's
/// `Lock` is not in `FoundationEssentials`, and `Synchronization.Mutex` needs a newer macOS
/// deployment target than the package declares).
package final class Lock: @unchecked Sendable {
    // @unchecked Sendable: the pthread mutex is the synchronisation.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    package init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }

    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
