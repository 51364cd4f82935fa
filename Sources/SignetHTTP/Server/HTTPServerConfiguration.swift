import SignetCrypto

/// Where and how an `HTTPServer` listens, and the limits it enforces on every connection.
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind: an IP literal or a name resolved with getaddrinfo (`0.0.0.0` / `::` for all).
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks an ephemeral port (read it back from `HTTPServer.boundPort`).
    public var port: Int = 4443
    /// When set, every accepted connection must complete a TLS handshake first.
    public var tls: TLSServerContext? = nil
    /// Most bytes of a request line plus header section; beyond it the server answers 431 and closes.
    public var maxHeaderBytes = 16 * 1024
    /// Most bytes of a request body (after de-chunking); beyond it the server answers 413 and closes.
    public var maxBodyBytes = 100 * 1024 * 1024
    /// Most connections open at once (each costs a socket and a few KiB, not a thread). `start()` raises
    /// `RLIMIT_NOFILE` to fit, or serves fewer with a warning when the hard limit is lower. At the limit
    /// the longest-waiting connection without a request in flight is closed to make room; when every
    /// connection has one, a plain-HTTP connection is answered `503` + `Connection: close` at once and a
    /// TLS connection is closed without a handshake.
    public var maxConnections = 20_000
    /// Seconds a request may take to arrive completely, measured from its first byte (a deadline for the
    /// whole request, not per read, so trickling bytes does not extend it); also bounds the TLS handshake.
    /// A request not complete by then is answered 408 and the connection closed.
    public var readTimeout: Double = 30
    /// Seconds an idle keep-alive connection is kept open waiting for its next request.
    public var idleTimeout: Double = 60
    /// Seconds a new connection may take to send its first byte: of the TLS handshake, and (on TLS,
    /// again after the handshake) of its first request. A connection that has sent nothing by then
    /// is closed without an answer. Kept short and separate from `idleTimeout` so that sockets that
    /// never send a request cannot hold the connection cap for long.
    public var firstByteTimeout: Double = 5
    /// Seconds a whole response may take to be written, plus one second per 64 KiB of it, so a client
    /// that reads slowly cannot hold its connection (and the response's memory) forever.
    public var writeTimeout: Double = 30
    /// Threads that run the handler (which may block on storage, signing or a database); requests beyond
    /// them wait in arrival order. Answers from `cachedResponder` need none.
    public var workerThreads = 16

    public init(
        host: String = "127.0.0.1", port: Int = 4443, tls: TLSServerContext? = nil,
        maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 100 * 1024 * 1024, maxConnections: Int = 20_000,
        readTimeout: Double = 30, idleTimeout: Double = 60, writeTimeout: Double = 30, firstByteTimeout: Double = 5,
        workerThreads: Int = 16
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.maxConnections = maxConnections
        self.readTimeout = readTimeout
        self.idleTimeout = idleTimeout
        self.writeTimeout = writeTimeout
        self.firstByteTimeout = firstByteTimeout
        self.workerThreads = workerThreads
    }
}
