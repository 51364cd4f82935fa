import FoundationEssentials
import Glibc
import Synchronization

/// One writer per GUN: an in-process lock per GUN, then an exclusive `flock` on
/// `<storage>/locks/<gun id>.lock` so that several `signet serve` processes sharing a storage
/// directory also serialize. Lock files are never removed (deleting a GUN keeps its lock file), so
/// a waiter can never end up holding a lock on an unlinked file.
final class GUNLocks: Sendable {
    /// The in-process lock of each GUN ID, created on first use and kept.
    private let locks = Mutex<[String: GUNLock]>([:])
    private let directory: String

    init(directory: String) {
        self.directory = directory
    }

    func withLock<T>(id: String, _ body: () throws -> T) throws -> T {
        let lock = locks.withLock { locks in
            if let existing = locks[id] { return existing }
            let created = GUNLock()
            locks[id] = created
            return created
        }
        var result: T?
        try lock.mutex.withLock { _ in
            let path = "\(directory)/\(id).lock"
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw StorageFile.failure("opening lock file", path) }
            defer { close(fd) }
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { throw StorageFile.failure("locking", path) }
            }
            defer { flock(fd, LOCK_UN) }
            result = try body()
        }
        return result!
    }

    /// The in-process lock of one GUN (a class, so that the registry can hand it out).
    private final class GUNLock: Sendable {
        let mutex = Mutex(())
    }
}
