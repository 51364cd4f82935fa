import Foundation
import Glibc
@testable import SignetHTTP
import Testing

/// Connection flood: an attacker (or a busy registry front) opens thousands of connections and keeps
/// them idle, or opens them and never sends a byte (slowloris), to exhaust the server's threads or
/// connection slots so honest clients are refused (issue 9 hole 7, issue 12). The event loop keeps
/// each idle connection as a few KiB and no thread, and cuts silent ones at the first-byte timeout.
@Suite("Attack: connection flood")
struct ConnectionFloodAttackTests {
    /// The test process holds both ends of every connection: make room in RLIMIT_NOFILE.
    static func ensureOpenFiles(_ wanted: Int) {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        if limit.rlim_cur < rlim_t(wanted) {
            limit.rlim_cur = min(rlim_t(wanted), limit.rlim_max)
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        if limit.rlim_cur < rlim_t(wanted) {
            Issue.record("RLIMIT_NOFILE hard limit \(limit.rlim_max) is below the \(wanted) descriptors this test needs (raise it: ulimit -Hn)")
        }
    }

    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    /// 2,000 idle keep-alive connections (each served once) stay open without a thread each, and a
    /// normal client is served; the idle ones are still usable afterwards.
    @Test func twoThousandIdleConnectionsAndANormalClientIsServed() throws {
        Self.ensureOpenFiles(4_000 + 256)
        let server = try startServer { $0.idleTimeout = 120; $0.firstByteTimeout = 120 }
        defer { server.shutdown(gracePeriod: 1) }
        let threadsBefore = Self.threadCount()
        var idle: [RawConnection] = []
        for index in 0..<2_000 {
            let connection = try RawConnection(port: server.boundPort, readTimeout: 10)
            try connection.send("GET /idle\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try connection.readResponse().bodyText == "hello /idle\(index)")
            idle.append(connection)
        }
        #expect(eventually(timeout: 5) { server.connectionCount == 2_000 })
        #expect(Self.threadCount() - threadsBefore < 100, "the server started a thread per connection")

        let response = try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/normal"))
        #expect(response.bodyText == "hello /normal")
        for index in stride(from: 0, to: 2_000, by: 97) {
            try idle[index].send("GET /again\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try idle[index].readResponse().bodyText == "hello /again\(index)")
        }
    }

    /// 500 connections that never send a byte, well under the connection limit: the server still holds
    /// them just after they connect, and closes every one at the first-byte timeout (2 s) although the
    /// read and idle timeouts are a minute; a normal client is served meanwhile.
    @Test func slowlorisConnectionsAreCutAtTheFirstByteTimeout() throws {
        Self.ensureOpenFiles(1_000 + 256)
        let server = try startServer {
            $0.firstByteTimeout = 2
            $0.readTimeout = 60
            $0.idleTimeout = 60
        }
        defer { server.shutdown(gracePeriod: 1) }
        let silent = try (0..<500).map { _ in try RawConnection(port: server.boundPort, readTimeout: 10) }
        #expect(EventLoopServerTests.isWaiting(silent[silent.count - 1]), "a silent connection was closed before its first-byte timeout")
        #expect(try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/normal")).bodyText == "hello /normal")
        for (index, connection) in silent.enumerated() {
            #expect(connection.isClosedByPeer(), "silent connection \(index) is still open")
        }
        #expect(eventually(timeout: 5) { server.connectionCount == 0 })
    }
}
