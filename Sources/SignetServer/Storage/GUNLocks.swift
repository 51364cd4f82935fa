import FoundationEssentials
import Glibc
import SignetCrypto

/// One writer per GUN: an in-process lock per GUN, then an exclusive `flock` on
/// `<storage>/locks/<gun id>.lock` so that several `signet serve` processes sharing a storage
/// directory also serialize. Lock files are never removed (deleting a GUN keeps its lock file), so
/// a waiter can never end up holding a lock on an unlinked file.
final class GUNLocks: @unchecked Sendable {
    // @unchecked Sendable: `locks` is only touched while holding `registry`.
    private let registry = Lock()
    private var locks: [String: Lock] = [:]
    private let directory: String

    init(directory: String) {
        self.directory = directory
    }

    func withLock<T>(id: String, _ body: () throws -> T) throws -> T {
        let lock: Lock = registry.withLock {
            if let existing = locks[id] { return existing }
            let created = Lock()
            locks[id] = created
            return created
        }
        lock.lock()
        defer { lock.unlock() }
        let path = "\(directory)/\(id).lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFile.failure("opening lock file", path) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AtomicFile.failure("locking", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
