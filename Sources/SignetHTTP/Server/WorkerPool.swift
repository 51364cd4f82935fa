/// A fixed number of threads running jobs in arrival order: the handlers that may block (storage
/// writes, signing, a database) run here so the event loop never waits for them. The queue holds at
/// most one job per connection (a connection reads no further request while its handler runs), so it is
/// bounded by the connection limit.
final class WorkerPool: @unchecked Sendable {
    // @unchecked Sendable: `jobs`, `head` and `stopping` are only touched while holding `state`.
    private let state = Condition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false

    /// Starts `threads` threads named `name`.
    /// - Throws: `HTTPError(.bind)` when no thread can be started.
    init(threads: Int, name: String) throws {
        var started = 0
        for _ in 0..<max(1, threads) {
            if SystemThread.detach(name: name, stackSize: 512 * 1024, { [self] in work() }) { started += 1 }
        }
        guard started > 0 else { throw HTTPError(.bind, "cannot start the HTTP server's worker threads") }
    }

    func submit(_ job: @escaping @Sendable () -> Void) {
        state.lock()
        defer { state.unlock() }
        guard !stopping else { return }
        jobs.append(job)
        state.broadcast()
    }

    /// Drops the queued jobs and lets every thread end after its current job.
    func stop() {
        state.lock()
        defer { state.unlock() }
        stopping = true
        jobs.removeAll()
        head = 0
        state.broadcast()
    }

    private func work() {
        while let job = nextJob() { job() }
    }

    private func nextJob() -> (@Sendable () -> Void)? {
        state.lock()
        defer { state.unlock() }
        while head == jobs.count && !stopping { state.wait() }
        guard !stopping else { return nil }
        let job = jobs[head]
        head += 1
        if head == jobs.count {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
        return job
    }
}
