import Glibc

/// A pthread mutex for short critical sections (Swift's `Synchronization.Mutex` needs a newer macOS
/// deployment target than the package declares).
final class Mutex: @unchecked Sendable {
    // @unchecked Sendable: the pthread mutex is the synchronisation.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() { pthread_mutex_init(mutex, nil) }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}
