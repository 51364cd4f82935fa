import Foundation
import Glibc
@testable import SignetHTTP
import Testing

/// Connection exhaustion (slowloris): an attacker opens as many connections as the server's cap and
/// never sends a byte (or only part of a request head), so every honest client got `503` until the
/// 30 s read timeout cut the attackers (issue 9 hole 7). Now a connection must send its first byte
/// within `firstByteTimeout` (or be cut), and at the cap the server closes the oldest connection
/// that has not sent a complete request head — then an idle keep-alive one — before answering 503;
/// never one with a request in flight. Real sockets on 127.0.0.1, a small cap to keep it quick.
@Suite("Attack: connection exhaustion")
struct ConnectionExhaustionAttackTests {
    static let cap = 8

    static func silentCrowd(_ count: Int, port: Int) throws -> [RawConnection] {
        try (0..<count).map { _ in try RawConnection(port: port, readTimeout: 10) }
    }

    /// The cap filled (and overfilled) by connections that never send a byte: once the first-byte
    /// timeout has passed they are cut, and an honest client is served.
    @Test func silentConnectionsAreCutAfterTheFirstByteTimeout() throws {
        let server = try startServer {
            $0.maxConnections = Self.cap
            $0.firstByteTimeout = 1
            $0.readTimeout = 60
            $0.idleTimeout = 60
        }
        defer { server.shutdown(gracePeriod: 1) }
        let crowd = try Self.silentCrowd(Self.cap * 2, port: server.boundPort)
        usleep(1_500_000)  // past the first-byte timeout
        let response = try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/honest"))
        #expect(response.status == 200)
        #expect(response.bodyText == "hello /honest")
        // Every silent connection was closed by the server (cut, evicted, or refused at the cap).
        for (index, connection) in crowd.enumerated() {
            #expect(connection.isClosedByPeer(), "silent connection \(index) is still open")
        }
    }

    /// True while the server has neither closed `connection` nor sent anything on it (200 ms look).
    static func isOpen(_ connection: RawConnection) -> Bool {
        var poller = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 200) == 0
    }

    /// A keep-alive client: one request on a new connection that then stays open.
    static func keepAliveClient(port: Int, path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> RawConnection {
        let connection = try RawConnection(port: port, readTimeout: 10)
        try connection.send("GET \(path) HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().bodyText == "hello \(path)", sourceLocation: sourceLocation)
        return connection
    }

    /// Before any timeout: at the cap, each new client is served by closing the oldest connection that
    /// has sent nothing or only part of a head, in the order they arrived.
    @Test func atTheCapTheOldestWaitingConnectionMakesRoom() throws {
        let server = try startServer {
            $0.maxConnections = Self.cap
            $0.firstByteTimeout = 60
            $0.readTimeout = 60
            $0.idleTimeout = 60
        }
        defer { server.shutdown(gracePeriod: 1) }
        let halfHead = try RawConnection(port: server.boundPort, readTimeout: 10)
        try halfHead.send("GET /slow HTTP/1.1\r\nHost: x\r\n")
        #expect(eventually(timeout: 5) { server.connectionCount == 1 })
        var crowd = [halfHead]
        for _ in 1..<Self.cap {
            crowd.append(try RawConnection(port: server.boundPort, readTimeout: 10))
            usleep(10_000)  // distinct arrival times
        }
        #expect(eventually(timeout: 5) { server.connectionCount == Self.cap })
        var honest: [RawConnection] = []
        for round in 0..<3 {
            honest.append(try Self.keepAliveClient(port: server.boundPort, path: "/honest\(round)"))
        }
        #expect(crowd[0].isClosedByPeer(), "the half-sent head, oldest, made room first")
        #expect(crowd[1].isClosedByPeer())
        #expect(crowd[2].isClosedByPeer())
        for index in 3..<Self.cap { #expect(Self.isOpen(crowd[index]), "waiting connection \(index) was closed out of order") }
        #expect(honest.allSatisfy(Self.isOpen))
    }

    /// Established keep-alive connections are not starved by pre-request sockets: at the cap the
    /// sockets that never sent a request go first; only then the keep-alive one idle longest.
    @Test func preRequestSocketsGoBeforeEstablishedKeepAliveOnes() throws {
        let server = try startServer {
            $0.maxConnections = 4
            $0.firstByteTimeout = 60
            $0.readTimeout = 60
            $0.idleTimeout = 60
        }
        defer { server.shutdown(gracePeriod: 1) }
        let port = server.boundPort
        let established = try (0..<2).map { try Self.keepAliveClient(port: port, path: "/first\($0)") }
        let silent = try Self.silentCrowd(2, port: port)
        #expect(eventually(timeout: 5) { server.connectionCount == 4 })
        let newcomers = try (0..<2).map { try Self.keepAliveClient(port: port, path: "/new\($0)") }
        #expect(silent.allSatisfy { $0.isClosedByPeer() })
        for (index, connection) in established.enumerated() {
            try connection.send("GET /again\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try connection.readResponse().bodyText == "hello /again\(index)")
        }
        // No pre-request socket left: the keep-alive connection idle longest (newcomers[0]) goes.
        usleep(10_000)
        let last = try Self.keepAliveClient(port: port, path: "/last")
        #expect(newcomers[0].isClosedByPeer())
        #expect(Self.isOpen(newcomers[1]) && Self.isOpen(last) && established.allSatisfy(Self.isOpen))
    }

    /// Requests in flight are never closed to make room: with every slot in a handler, a new client
    /// gets 503 and the in-flight requests complete.
    @Test func inFlightRequestsAreNeverClosedToMakeRoom() throws {
        let release = DispatchSemaphore(value: 0)
        let entered = DispatchSemaphore(value: 0)
        let server = try startServer({
            $0.maxConnections = 3
            $0.firstByteTimeout = 60
            $0.readTimeout = 60
        }, handler: { request in
            if request.path.hasPrefix("/hold") {
                entered.signal()
                release.wait()
            }
            return echoHandler(request)
        })
        defer { server.shutdown(gracePeriod: 1) }
        let holders = try (0..<3).map { index -> RawConnection in
            let connection = try RawConnection(port: server.boundPort, readTimeout: 10)
            try connection.send("GET /hold\(index) HTTP/1.1\r\nHost: x\r\n\r\n")
            return connection
        }
        for _ in 0..<3 { #expect(entered.wait(timeout: .now() + 5) == .success) }
        let refused = try HTTPClient(timeout: 5).send(method: "GET", url: url(server, "/new"))
        #expect(refused.status == 503)
        for _ in 0..<3 { release.signal() }
        for (index, connection) in holders.enumerated() {
            #expect(try connection.readResponse().bodyText == "hello /hold\(index)")
        }
    }
}
