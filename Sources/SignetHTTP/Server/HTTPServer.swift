import Glibc
import Logging
import Synchronization

/// An HTTP/1.1 server (RFC 9112) on one epoll event loop (`ServerLoop`): non-blocking sockets, request
/// heads and bodies parsed as bytes arrive, responses written from a queue as the socket accepts them,
/// TLS through SignetCrypto's non-blocking `TLSConnection` steps. The handler, which may block (file
/// store, signing), runs on a bounded `WorkerPool` and hands its response back to the loop; a
/// `cachedResponder`, which must not block, may answer in the loop itself. See `docs/http-server.md`.
///
/// Lifecycle: `init` → `start()` (binds, listens, returns) → `shutdown(gracePeriod:)` (stops accepting,
/// closes idle keep-alive connections, waits for in-flight requests) → `waitUntilShutdown()` returns.
public final class HTTPServer: @unchecked Sendable {
    // @unchecked Sendable: `lifecycle`, `port` and `drainDeadline` are read and written only while
    // holding `state`; `openConnections` is atomic; the rest is immutable.

    public let configuration: HTTPServerConfiguration
    let logger: Logger
    let handler: @Sendable (HTTPRequest) -> HTTPResponse
    let cachedResponder: (@Sendable (HTTPRequest) -> HTTPResponse?)?

    enum Lifecycle { case created, running, draining, stopped }

    /// Guards the three fields below and is signalled when the lifecycle changes.
    let state = Condition()
    private var lifecycle = Lifecycle.created
    private var port = 0
    /// Monotonic time at which draining gives up on the connections still open.
    private var drainDeadline = Double.infinity
    private var loop: ServerLoop?
    /// Connections open now, published by the loop.
    let openConnections = Atomic<Int>(0)

    /// - Parameters:
    ///   - configuration: address, TLS and limits.
    ///   - logger: receives one `info` access line per request and warnings (capacity, accept errors).
    ///   - cachedResponder: called on the event loop for every request before the handler; returns a
    ///     response it has at hand (cached metadata), or nil to pass the request to `handler`. It must
    ///     not block: every connection waits while it runs.
    ///   - handler: turns a request into a response; called concurrently from the worker threads
    ///     (`HTTPServerConfiguration.workerThreads`) and may block.
    public init(configuration: HTTPServerConfiguration, logger: Logger,
                cachedResponder: (@Sendable (HTTPRequest) -> HTTPResponse?)? = nil,
                handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.configuration = configuration
        self.logger = logger
        self.cachedResponder = cachedResponder
        self.handler = handler
    }

    /// The port actually bound, valid after `start()` (useful with port 0); 0 before.
    public var boundPort: Int {
        state.lock()
        defer { state.unlock() }
        return port
    }

    /// Connections open now; for tests and diagnostics.
    var connectionCount: Int { openConnections.load(ordering: .relaxed) }

    /// Binds (with `SO_REUSEADDR`, deliberately not `SO_REUSEPORT`, so a second server on the same port
    /// fails loudly), listens, raises `RLIMIT_NOFILE` to fit `maxConnections`, and starts the event loop
    /// and worker threads. Returns once listening. Also sets `SIGPIPE` to ignored, since TLS writes
    /// cannot pass `MSG_NOSIGNAL`.
    ///
    /// - Throws: `HTTPError(.bind)` naming `host:port` and the errno text when the address cannot be
    ///   resolved, bound or listened on, when the loop or its threads cannot be created, or when the
    ///   server was already started.
    public func start() throws {
        state.lock()
        defer { state.unlock() }
        guard lifecycle == .created else { throw HTTPError(.bind, "server already started") }
        signal(SIGPIPE, SIG_IGN)

        let host = configuration.host
        let address = host.contains(":") ? "[\(host)]:\(configuration.port)" : "\(host):\(configuration.port)"
        let addresses = try Socket.resolve(host: host, port: configuration.port, passive: true).get()
        var lastError = "no usable address"
        var listenFD: Int32 = -1
        for candidate in addresses {
            let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
            let fd = socket(candidate.family, flags, Int32(IPPROTO_TCP))
            guard fd >= 0 else { lastError = errnoDescription(errno); continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound = candidate.address.withUnsafeBytes {
                bind(fd, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if bound != 0 || listen(fd, 4096) != 0 {
                lastError = errnoDescription(errno)
                close(fd)
                continue
            }
            listenFD = fd
            break
        }
        guard listenFD >= 0 else { throw HTTPError(.bind, "cannot listen on \(address): \(lastError)") }
        let connectionLimit = FileDescriptorLimit.raise(toFit: configuration.maxConnections, logger: logger)
        let loop: ServerLoop
        do {
            loop = try ServerLoop(server: self, listenFD: listenFD, maxConnections: connectionLimit)
        } catch {
            close(listenFD)
            throw error
        }
        guard SystemThread.detach(name: "http-loop", stackSize: 1 << 20, { loop.run() }) else {
            loop.abandon()
            throw HTTPError(.bind, "cannot start the HTTP server's event loop thread")
        }
        self.loop = loop
        port = Socket.localPort(listenFD)
        lifecycle = .running
        logger.info("listening", metadata: ["address": "\(host):\(port)", "tls": "\(configuration.tls != nil)"])
    }

    /// Stops the server gracefully and returns when it has stopped:
    /// 1. stops accepting (the listening socket is closed, so new connects are refused);
    /// 2. closes keep-alive connections that are idle between requests (and ones still in a TLS handshake);
    /// 3. lets requests in progress finish — each is answered with `Connection: close` — for up to
    ///    `gracePeriod` seconds;
    /// 4. then closes the remaining connections.
    ///
    /// A handler still running after that cannot be interrupted: its worker thread finishes on its own
    /// and its response is dropped. Calling `shutdown` again (or concurrently) waits for the first call
    /// to finish.
    public func shutdown(gracePeriod: Double = 10) {
        state.lock()
        defer { state.unlock() }
        switch lifecycle {
        case .created:
            lifecycle = .stopped
            state.broadcast()
            return
        case .running:
            lifecycle = .draining
            drainDeadline = monotonicSeconds() + max(0, gracePeriod)
            loop?.wake()  // under `state`: the loop closes its poller only after it has set `.stopped`
        case .draining, .stopped:
            break
        }
        while lifecycle != .stopped { state.wait() }
    }

    /// Blocks the calling thread until `shutdown` has completed (returns at once if it already has).
    public func waitUntilShutdown() {
        state.lock()
        defer { state.unlock() }
        while lifecycle != .stopped { state.wait() }
    }

    /// For the loop: nil while running, else the drain deadline (monotonic seconds).
    func drainRequested() -> Double? {
        state.lock()
        defer { state.unlock() }
        return lifecycle == .draining ? drainDeadline : nil
    }

    /// For the loop, as its last act: the server has stopped. `body` runs under `state` first (it closes
    /// the poller, which `shutdown` wakes under the same lock).
    func loopStopped(_ body: () -> Void) {
        state.lock()
        defer { state.unlock() }
        body()
        lifecycle = .stopped
        loop = nil
        state.broadcast()
        logger.info("stopped")
    }
}
