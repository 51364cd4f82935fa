import FoundationEssentials
import Glibc
import SignetHTTP
import Synchronization

/// How a server on PostgreSQL learns that another server on the same database committed to a GUN,
/// so that `CurrentMetadataCache` may answer from memory and still never serve a GUN's old bytes
/// for longer than `maxStaleness` after another server's commit (issue 13, item 4).
///
/// - Every commit and delete sends `NOTIFY signet_changes` with the GUN's lock key
///   (`PostgresStore.lockKey`) inside its transaction, so the notification goes out when, and only
///   if, it commits. A dedicated connection (not from the pool) `LISTEN`s on its own thread and
///   raises that GUN's generation for each one; the store raises it too right after its own COMMIT,
///   so a server always sees its own publishes on the next request.
/// - `revision(gun:)` is (epoch, generation), read from memory: the event loop calls it on every
///   cached GET, so it never touches the database.
/// - The bound: every `heartbeat` the listener runs `SELECT 1`. PostgreSQL delivers to a listening
///   session the notifications of every transaction that committed before a statement started
///   before that statement's answer, so when the answer arrives every commit that finished before
///   it was sent has been seen; that send instant is `confirmed`. `revision` answers nil (and the
///   cache is bypassed: every GET reads the database) unless `confirmed` is at most `maxStaleness`
///   old. So a GET never answers from memory bytes older than a commit that finished more than
///   `maxStaleness` before it; typically the notification arrives within milliseconds.
/// - The connection is lost (database restarted, network): no revision until it is back, then a
///   new epoch (notifications sent meanwhile are lost, so every cached entry is dropped).
/// - At most `maxGUNs` generations are kept; then they start over with a new epoch.
/// - The thread starts with the first `revision` call (a store that never serves GETs, like a
///   copy, opens no extra connection) and stops when the store is released.
final class PostgresChangeListener: Sendable {
    /// The channel every commit notifies.
    static let channel = "signet_changes"
    static let maxGUNs = 100_000

    let parameters: PostgresConnectionParameters
    let heartbeat: Duration
    let maxStaleness: Duration

    private struct State {
        var started = false
        var stopped = false
        var epoch: Int64 = 0
        var generations: [Int64: Int64] = [:]
        /// Every commit that finished before this instant has been seen (nil: not connected).
        var confirmed: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    /// - Parameter maxStaleness: the bound (positive); heartbeats go every quarter of it, at most
    ///   every 200 ms and at least every 5 ms.
    init(parameters: PostgresConnectionParameters, maxStaleness: Duration = .seconds(1)) {
        self.parameters = parameters
        self.maxStaleness = maxStaleness
        heartbeat = max(.milliseconds(5), min(.milliseconds(200), maxStaleness / 4))
    }

    /// `gun`'s revision from memory, or nil while the listener cannot vouch for it (not started yet,
    /// disconnected, or its last confirmation older than `maxStaleness`). Starts the listener.
    func revision(gunKey: Int64) -> StoreRevision? {
        let (answer, start): (StoreRevision?, Bool) = state.withLock { state in
            let start = !state.started
            state.started = true
            guard let confirmed = state.confirmed, ContinuousClock.now - confirmed <= maxStaleness else { return (nil, start) }
            return (StoreRevision(database: state.epoch, generation: state.generations[gunKey] ?? 0), start)
        }
        if start, !SystemThread.detach(name: "signet-pg-listen", stackSize: 256 * 1024, { [self] in run() }) {
            state.withLock { $0.started = false }  // no thread: no revision, try again next time
        }
        return answer
    }

    /// A commit to the GUN with lock key `gunKey` finished (this server's, or another's notification).
    func changed(gunKey: Int64) {
        state.withLock { state in
            if state.generations[gunKey] == nil, state.generations.count >= Self.maxGUNs {
                state.generations.removeAll()
                state.epoch += 1
            }
            state.generations[gunKey, default: 0] += 1
        }
    }

    /// Ends the thread within one `heartbeat` (its connection closes with it).
    func stop() {
        state.withLock { $0.stopped = true }
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    private func lost() {
        state.withLock { state in
            state.confirmed = nil
            state.epoch += 1
            state.generations.removeAll()
        }
    }

    private func run() {
        var backoff = PostgresPool.firstBackoff
        while !isStopped {
            do {
                let connection = try PostgresConnection(parameters)
                try connection.run("LISTEN \(Self.channel)")
                lost()  // a new epoch: what was sent before LISTEN was not seen
                backoff = PostgresPool.firstBackoff
                try listen(on: connection)
            } catch {
                lost()
                let pause = backoff
                backoff = min(backoff * 2, PostgresPool.maxBackoff)
                // Sleep in heartbeat steps so that stop() is honoured promptly.
                let until = ContinuousClock.now + pause
                while !isStopped, ContinuousClock.now < until { Self.sleep(min(heartbeat, until - ContinuousClock.now)) }
            }
        }
    }

    /// Heartbeats and notifications until the connection fails (throws) or the store is released.
    private func listen(on connection: PostgresConnection) throws {
        while !isStopped {
            let sent = ContinuousClock.now
            try connection.run("SELECT 1")
            deliver(try connection.notifications())
            state.withLock { $0.confirmed = sent }
            // Until the next heartbeat, take notifications as they arrive.
            let next = sent + heartbeat
            while !isStopped, ContinuousClock.now < next {
                var descriptor = pollfd(fd: connection.socketDescriptor, events: Int16(POLLIN), revents: 0)
                guard descriptor.fd >= 0 else { throw PostgresFailure(.unavailable, "the listening connection has no socket") }
                let remaining = next - ContinuousClock.now
                let milliseconds = max(1, Int32(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000))
                if poll(&descriptor, 1, milliseconds) > 0 { deliver(try connection.notifications()) }
            }
        }
    }

    private func deliver(_ notifications: [(channel: String, payload: String)]) {
        for notification in notifications where notification.channel == Self.channel {
            guard let key = Int64(notification.payload) else { continue }
            changed(gunKey: key)
        }
    }

    private static func sleep(_ duration: Duration) {
        let nanoseconds = max(0, duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

extension StoreRevision {
    /// A PostgreSQL store's revision: the listener's epoch and the GUN's generation in it.
    init(database epoch: Int64, generation: Int64) {
        self.init(inode: UInt64(bitPattern: epoch), size: generation, seconds: 0, nanoseconds: 0)
    }
}
