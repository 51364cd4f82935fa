import Foundation
import Glibc
import Logging
import SignetCrypto
@testable import SignetHTTP
import Testing

/// The event-loop server (issue 12): handlers that block do not stop the loop, graceful shutdown with
/// many connections, TLS handshakes arriving a byte at a time, the open-file limit, and descriptors the
/// process reuses after the server closed them.
@Suite struct EventLoopServerTests {
    /// A handler blocked on a slow store holds the only worker thread; a GET the cached responder
    /// answers is still served on another connection, in the loop.
    @Test func blockedHandlerDoesNotStopTheLoopServingACachedGET() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.workerThreads = 1
        let server = HTTPServer(configuration: configuration, logger: testLogger, cachedResponder: { request in
            request.method == "GET" && request.path == "/cached" ? HTTPResponse(status: 200, body: Array("from the cache".utf8)) : nil
        }, handler: { request in
            if request.path == "/slow-store" {
                entered.signal()
                release.wait()
            }
            return echoHandler(request)
        })
        try server.start()
        defer { server.shutdown(gracePeriod: 1) }
        let slow = try RawConnection(port: server.boundPort, readTimeout: 10)
        try slow.send("POST /slow-store HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
        #expect(entered.wait(timeout: .now() + 5) == .success)

        let cached = try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/cached"))
        #expect(cached.status == 200)
        #expect(cached.bodyText == "from the cache")
        #expect(Self.isWaiting(slow), "the blocked handler answered before it was released")

        release.signal()
        #expect(try slow.readResponse().bodyText == "hi")
    }

    /// A client whose first request arrived in time, while the loop was busy past that client's
    /// first-byte deadline (at 10,000 TLS connections: thousands of handshakes queued ahead of it;
    /// here a responder that holds the loop for 4 s), is served, not cut: the deadline judges the
    /// client, not the loop. Before the fix such connections were closed unread, which wrk counted
    /// as socket errors.
    @Test func requestThatArrivedWhileTheLoopWasBusyIsNotCutAtTheFirstByteDeadline() throws {
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.firstByteTimeout = 2
        let server = HTTPServer(configuration: configuration, logger: testLogger, cachedResponder: { request in
            guard request.path == "/hold-the-loop" else { return nil }
            usleep(4_000_000)
            return HTTPResponse(status: 200)
        }, handler: echoHandler)
        try server.start()
        defer { server.shutdown(gracePeriod: 1) }
        let onTime = try RawConnection(port: server.boundPort, readTimeout: 15)
        #expect(eventually(timeout: 5) { server.connectionCount == 1 }, "admitted: its first-byte deadline runs from now")
        let holder = try RawConnection(port: server.boundPort, readTimeout: 15)
        try holder.send("GET /hold-the-loop HTTP/1.1\r\nHost: x\r\n\r\n")
        usleep(500_000)  // the loop is inside the responder
        try onTime.send("GET /on-time HTTP/1.1\r\nHost: x\r\n\r\n")  // well within its 2 s
        #expect(try holder.readResponse().status == 200)
        let response = try #require(try? onTime.readResponse(), "the connection was cut although its request had arrived in time")
        #expect(response.bodyText == "hello /on-time")
    }

    /// Shutdown with 100 idle keep-alive connections and 10 requests in their handlers: the idle ones
    /// are closed at once, new connects are refused, each in-flight request is answered with
    /// `Connection: close`, and `shutdown` returns once they are.
    @Test func gracefulShutdownWith100OpenConnectionsAnd10InFlight() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let server = try startServer({ $0.workerThreads = 16 }, handler: { request in
            if request.path.hasPrefix("/busy") {
                entered.signal()
                release.wait()
            }
            return echoHandler(request)
        })
        let port = server.boundPort
        let idle = try (0..<100).map { index -> RawConnection in
            let connection = try RawConnection(port: port, readTimeout: 10)
            try connection.send("GET /idle\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try connection.readResponse().bodyText == "hello /idle\(index)")
            return connection
        }
        let busy = try (0..<10).map { index -> RawConnection in
            let connection = try RawConnection(port: port, readTimeout: 10)
            try connection.send("GET /busy\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            return connection
        }
        for _ in 0..<10 { #expect(entered.wait(timeout: .now() + 5) == .success) }

        let stopped = DispatchSemaphore(value: 0)
        Thread {
            server.shutdown(gracePeriod: 30)
            stopped.signal()
        }.start()
        for (index, connection) in idle.enumerated() { #expect(connection.isClosedByPeer(), "idle connection \(index) was not closed") }
        #expect(throws: HTTPError.self) { try HTTPClient(timeout: 2).send(method: "GET", url: "http://127.0.0.1:\(port)/new") }
        #expect(stopped.wait(timeout: .now() + 0.2) == .timedOut, "shutdown returned with requests in flight")

        for _ in 0..<10 { release.signal() }
        for (index, connection) in busy.enumerated() {
            let response = try connection.readResponse()
            #expect(response.bodyText == "hello /busy\(index)")
            #expect(response.headers["Connection"] == "close")
            #expect(connection.isClosedByPeer())
        }
        #expect(stopped.wait(timeout: .now() + 10) == .success)
        #expect(server.connectionCount == 0)
    }

    /// A TLS client whose every byte (ClientHello, Finished, request) reaches the server in its own
    /// segment: the loop resumes the handshake and the request parse at each byte.
    @Test func tlsHandshakeArrivingOneByteAtATimeIsServed() throws {
        let material = try #require(TLSTests.material, "openssl (Debian package openssl) could not make test certificates")
        let context = try TLSServerContext(certificateChainPEMFile: material.cert, privateKeyPEMFile: material.key)
        let server = try startServer { $0.tls = context; $0.readTimeout = 30 }
        defer { server.shutdown(gracePeriod: 1) }
        let proxy = try DripProxy(to: server.boundPort)
        let client = HTTPClient(tls: try TLSClientContext(caFile: material.ca), timeout: 30)
        let response = try client.send(method: "POST", url: "https://127.0.0.1:\(proxy.port)/dripped", body: Array("slowly".utf8))
        #expect(response.status == 200)
        #expect(response.bodyText == "slowly")
        #expect(proxy.forwardedOneByteWrites.value ?? 0 > 200, "the proxy did not split the handshake into single bytes")
    }

    /// Descriptors the server has closed are reused by the process at once (the kernel hands out the
    /// lowest free number); shutting down — including the cut after the grace period — must not
    /// `shutdown()` or `close()` them. Sockets made after the server closed its connections still work.
    @Test func shutdownLeavesDescriptorsTheProcessReusedAlone() throws {
        let entered = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { request in
            if request.path == "/hold" {
                entered.signal()
                usleep(1_500_000)
            }
            return echoHandler(request)
        })
        let port = server.boundPort
        // Connections the server closes itself (Connection: close), some mid-request (peer closes).
        for index in 0..<20 {
            let connection = try RawConnection(port: port)
            try connection.send("GET /c\(index) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            _ = try connection.readResponse()
            #expect(connection.isClosedByPeer())
        }
        let holder = try RawConnection(port: port, readTimeout: 10)
        try holder.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        #expect(eventually(timeout: 5) { server.connectionCount == 1 })
        // Now take the freed descriptor numbers with socket pairs of our own.
        var pairs: [[Int32]] = []
        for _ in 0..<40 {
            var fds: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            pairs.append(fds)
        }
        defer { pairs.forEach { close($0[0]); close($0[1]) } }
        server.shutdown(gracePeriod: 0.2)  // the held request is cut after the grace period
        for (index, pair) in pairs.enumerated() {
            var byte: UInt8 = 0x2A
            #expect(send(pair[0], &byte, 1, Int32(MSG_NOSIGNAL)) == 1, "socket pair \(index) (fd \(pair[0])) was shut down or closed")
            var received: UInt8 = 0
            #expect(recv(pair[1], &received, 1, Int32(MSG_DONTWAIT)) == 1 && received == 0x2A, "socket pair \(index) (fd \(pair[1])) lost data")
        }
    }

    /// A connection limit above the hard `RLIMIT_NOFILE` is not a start failure: the server serves, with
    /// one warning naming the limit, and fewer connections.
    @Test func connectionLimitAboveTheOpenFileLimitIsWarnedAboutAndServes() throws {
        let records = LogRecords()
        var configuration = HTTPServerConfiguration(port: 0)
        configuration.maxConnections = 100_000_000
        let server = HTTPServer(configuration: configuration, logger: Logger(label: "limit") { _ in records.handler }, handler: echoHandler)
        try server.start()
        defer { server.shutdown(gracePeriod: 1) }
        #expect(try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/ok")).bodyText == "hello /ok")
        let warnings = records.messages.filter { $0.hasPrefix("warning cannot raise the open-file limit (RLIMIT_NOFILE)") }
        #expect(warnings.count == 1, "\(records.messages)")
    }

    /// True while the server has neither closed `connection` nor sent anything on it (200 ms look).
    static func isWaiting(_ connection: RawConnection) -> Bool {
        var poller = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 200) == 0
    }
}

/// Collects log lines as "level message" (for asserting a warning was logged).
final class LogRecords: @unchecked Sendable {
    // @unchecked Sendable: `lines` is only touched while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []
    var messages: [String] { lock.withLock { lines } }
    var handler: some LogHandler { Handler(records: self) }

    struct Handler: LogHandler {
        let records: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            records.lock.withLock { records.lines.append("\(event.level) \(event.message)") }
        }
    }
}

/// A TCP proxy on 127.0.0.1 for one connection: everything the client sends is forwarded to the
/// server one byte per write (TCP_NODELAY, a short pause between bytes), the server's bytes at once.
final class DripProxy: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    let forwardedOneByteWrites = Captured<Int>()

    init(to serverPort: Int) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard listen(listener, 4) == 0 else { throw HTTPError(.bind, "proxy listen: \(errnoDescription(errno))") }
        port = Socket.localPort(listener)
        let counter = forwardedOneByteWrites
        Thread {
            let client = accept(listener, nil, nil)
            guard client >= 0, let upstream = try? RawConnection(port: serverPort, readTimeout: 30) else { return }
            let upstreamFD = dup(upstream.fd)
            Socket.setNoDelay(upstreamFD)
            Thread {  // server → client, as it comes
                var buffer = [UInt8](repeating: 0, count: 16384)
                while true {
                    let n = recv(upstreamFD, &buffer, buffer.count, 0)
                    if n <= 0 || send(client, buffer, n, Int32(MSG_NOSIGNAL)) != n { break }
                }
                Glibc.shutdown(client, Int32(SHUT_WR))
            }.start()
            var byte: UInt8 = 0
            var writes = 0
            while recv(client, &byte, 1, 0) == 1 {
                guard send(upstreamFD, &byte, 1, Int32(MSG_NOSIGNAL)) == 1 else { break }
                writes += 1
                counter.set(writes)
                usleep(300)
            }
            Glibc.shutdown(upstreamFD, Int32(SHUT_WR))
            withExtendedLifetime(upstream) { _ = usleep(200_000) }
        }.start()
    }

    deinit { close(listener) }
}
