import Foundation
import Glibc
@testable import SignetHTTP
import Testing

/// Deadlines, connection cap, and graceful shutdown.
@Suite struct ServerRobustnessTests {
    @Test func stalledClientsDoNotStarveNormalClient() throws {
        let server = try startServer {
            $0.maxConnections = 64
            $0.readTimeout = 1
        }
        defer { server.shutdown(gracePeriod: 1) }
        // 200 clients each send half a request and stall.
        var stalled: [RawConnection] = []
        for index in 0..<200 {
            let connection = try RawConnection(port: server.boundPort)
            try connection.send("POST /slow\(index) HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
            stalled.append(connection)
        }
        // A normal client retries (503 at the cap, or a reset) and must be served within a few seconds.
        let started = monotonicSeconds()
        var served: HTTPResponse?
        while served == nil, monotonicSeconds() - started < 10 {
            if let response = try? HTTPClient(timeout: 2).send(method: "GET", url: url(server, "/normal")), response.status == 200 {
                served = response
            } else {
                usleep(100_000)
            }
        }
        #expect(served?.bodyText == "hello /normal")
        #expect(monotonicSeconds() - started < 5)
        withExtendedLifetime(stalled) {}
    }

    @Test func tricklingClientIsCutAtTheRequestDeadline() throws {
        let server = try startServer { $0.readTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        let request = Array("GET /trickle HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "p", count: 200))\r\n\r\n".utf8)
        let started = monotonicSeconds()
        // One byte every 100 ms would take 20 s; each read makes progress, so only a whole-request
        // deadline stops it.
        var index = 0
        while index < request.count, monotonicSeconds() - started < 4 {
            if (try? connection.send([request[index]])) == nil { break }
            index += 1
            usleep(100_000)
        }
        #expect(index < request.count)
        let response = try? connection.readResponse()
        #expect(response == nil || response?.status == 408)
        #expect(monotonicSeconds() - started < 4)
    }

    @Test func idleKeepAliveConnectionIsClosedAfterIdleTimeout() throws {
        let server = try startServer { $0.idleTimeout = 0.5 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        let started = monotonicSeconds()
        #expect(connection.isClosedByPeer())
        #expect(monotonicSeconds() - started < 3)
    }

    @Test func gracefulShutdownLetsInFlightRequestFinish() throws {
        let entered = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { request in
            entered.signal()
            usleep(500_000)
            return HTTPResponse(status: 200, body: Array("finished \(request.path)".utf8))
        })
        let port = server.boundPort
        // An idle keep-alive connection, which shutdown should close right away.
        let idle = try RawConnection(port: port)
        let result = Captured<Result<HTTPResponse, HTTPError>>()
        let requester = Thread {
            do { result.set(.success(try HTTPClient().send(method: "GET", url: "http://127.0.0.1:\(port)/slow"))) } catch let error as HTTPError { result.set(.failure(error)) } catch {}
        }
        requester.start()
        #expect(entered.wait(timeout: .now() + 5) == .success)

        let started = monotonicSeconds()
        server.shutdown(gracePeriod: 5)
        let took = monotonicSeconds() - started
        #expect(took >= 0.3 && took < 3)
        #expect(eventually(timeout: 2) { result.value != nil })
        #expect((try? result.value?.get())?.bodyText == "finished /slow")
        #expect(idle.isClosedByPeer())
        // New connections are refused once stopped.
        #expect(throws: HTTPError.self) { try HTTPClient(timeout: 1).send(method: "GET", url: "http://127.0.0.1:\(port)/") }
        server.waitUntilShutdown()  // returns at once
    }

    @Test func shutdownGracePeriodBoundsSlowHandler() throws {
        let entered = DispatchSemaphore(value: 0)
        let server = try startServer(handler: { _ in
            entered.signal()
            usleep(3_000_000)
            return HTTPResponse(status: 200)
        })
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        let started = monotonicSeconds()
        server.shutdown(gracePeriod: 0.3)
        #expect(monotonicSeconds() - started < 2.5)
    }

    @Test func waitUntilShutdownReturnsAfterShutdownFromAnotherThread() throws {
        let server = try startServer()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { server.shutdown(gracePeriod: 1) }
        let started = monotonicSeconds()
        server.waitUntilShutdown()
        #expect(monotonicSeconds() - started >= 0.1)
    }

    @Test func signalHandlerIsCalledOnSIGTERM() throws {
        let received = DispatchSemaphore(value: 0)
        installShutdownSignalHandlers { received.signal() }
        // Dispatch registers the source asynchronously; a signal sent before that is ignored (SIG_IGN).
        var delivered = false
        for _ in 0..<50 where !delivered {
            kill(getpid(), SIGTERM)
            delivered = received.wait(timeout: .now() + 0.1) == .success
        }
        #expect(delivered)
        // Give the rest of the test process back its default SIGTERM/SIGINT behaviour.
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}

/// Found by fuzzing (`scripts/fuzz http-request`, regression input
/// `Tests/Fuzz/Corpus/http-request/regression-head-limit-split.txt`): a head of exactly
/// `maxHeaderBytes` was accepted when it arrived in one read but refused with 431 when its final
/// CRLF arrived in a later read, because the limit was compared with the buffered bytes, terminator included.
@Suite struct HeadLimitSplitTests {
    @Test(arguments: [1, 2, 3, 5, 1 << 16])
    func headOfExactlyTheLimitIsAcceptedHoweverItArrives(_ readSize: Int) {
        var configuration = HTTPServerConfiguration()
        configuration.maxHeaderBytes = 64
        var head = "GET /x HTTP/1.1\r\nHost: h\r\nX-Pad: "
        head += String(repeating: "a", count: 64 - head.utf8.count - 2) + "\r\n"
        #expect(head.utf8.count == 64)
        let outcomes = MessageReading.readRequests(Array((head + "\r\n").utf8), readSize: readSize, configuration: configuration)
        guard case .request(_, _, let path, _, _, _) = outcomes.first else {
            Issue.record("read in pieces of \(readSize): \(outcomes)")
            return
        }
        #expect(path == "/x")
        let over = MessageReading.readRequests(Array(("GET /x HTTP/1.1\r\nHost: h\r\nX-Pad: " + String(repeating: "a", count: 31) + "\r\n\r\n").utf8),
                                               readSize: readSize, configuration: configuration)
        #expect(over.first == .rejected(status: 431), "one byte over the limit, pieces of \(readSize)")
    }
}
