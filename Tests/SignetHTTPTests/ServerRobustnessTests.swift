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
        // A normal client retries (503 at the cap, or a reset) and is served once the read timeout
        // cuts stalled ones. The loop's 30 s only keeps a broken server from hanging the suite.
        let started = monotonicSeconds()
        var served: HTTPResponse?
        while served == nil, monotonicSeconds() - started < 30 {
            if let response = try? HTTPClient(timeout: 2).send(method: "GET", url: url(server, "/normal")), response.status == 200 {
                served = response
            } else {
                usleep(100_000)
            }
        }
        #expect(served?.bodyText == "hello /normal")
        withExtendedLifetime(stalled) {}
    }

    @Test func tricklingClientIsCutAtTheRequestDeadline() throws {
        let server = try startServer { $0.readTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        let request = Array("GET /trickle HTTP/1.1\r\nHost: x\r\nX-Pad: \(String(repeating: "p", count: 200))\r\n\r\n".utf8)
        // One byte every 100 ms would take 20 s; each read makes progress, so only a whole-request
        // deadline stops it. Trickle until the server answers or closes (the socket turns readable).
        var index = 0
        while index < request.count, !connection.isReadable() {
            if (try? connection.send([request[index]])) == nil { break }
            index += 1
            usleep(100_000)
        }
        #expect(index < request.count, "the server waited for the whole trickled request")
        let response = try? connection.readResponse()
        #expect(response == nil || response?.status == 408)
    }

    @Test func idleKeepAliveConnectionIsClosedAfterIdleTimeout() throws {
        let server = try startServer { $0.idleTimeout = 0.5 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().status == 200)
        #expect(connection.isClosedByPeer())
    }

    @Test func gracefulShutdownLetsInFlightRequestFinish() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = Captured<Bool>()
        let server = try startServer(handler: { request in
            entered.signal()
            _ = release.wait(timeout: .now() + 30)
            finished.set(true)
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

        // Whether the handler had finished when `shutdown` returned.
        let finishedAtReturn = Captured<Bool>()
        Thread {
            server.shutdown(gracePeriod: 30)
            finishedAtReturn.set(finished.value == true)
        }.start()
        // The idle connection is closed at once, while the request is still in flight ...
        #expect(idle.isClosedByPeer())
        #expect(finishedAtReturn.value == nil, "shutdown returned while a request was in flight")
        // ... and shutdown returns once that request has finished, not at the end of the grace period.
        release.signal()
        #expect(eventually(timeout: 20) { finishedAtReturn.value != nil })
        #expect(finishedAtReturn.value == true)
        #expect(eventually(timeout: 5) { result.value != nil })
        #expect((try? result.value?.get())?.bodyText == "finished /slow")
        // New connections are refused once stopped.
        let refused = #expect(throws: HTTPError.self) { try HTTPClient(timeout: 1).send(method: "GET", url: "http://127.0.0.1:\(port)/") }
        #expect(refused?.code == .connect, "\(String(describing: refused))")
        server.waitUntilShutdown()  // returns at once
    }

    @Test func shutdownGracePeriodBoundsSlowHandler() throws {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = Captured<Bool>()
        let server = try startServer(handler: { _ in
            entered.signal()
            _ = release.wait(timeout: .now() + 30)
            finished.set(true)
            return HTTPResponse(status: 200)
        })
        defer { release.signal() }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(entered.wait(timeout: .now() + 5) == .success)
        // The handler never finishes on its own: shutdown must return anyway, after the grace
        // period, with the connection cut.
        let finishedAtReturn = Captured<Bool>()
        Thread {
            server.shutdown(gracePeriod: 0.3)
            finishedAtReturn.set(finished.value == true)
        }.start()
        #expect(eventually(timeout: 20) { finishedAtReturn.value != nil }, "shutdown waited for a handler past its grace period")
        #expect(finishedAtReturn.value == false)
        #expect(connection.isClosedByPeer())
    }

    @Test func waitUntilShutdownReturnsAfterShutdownFromAnotherThread() throws {
        let server = try startServer()
        let shutdownCalled = Captured<Bool>()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) {
            shutdownCalled.set(true)
            server.shutdown(gracePeriod: 1)
        }
        server.waitUntilShutdown()
        #expect(shutdownCalled.value == true, "waitUntilShutdown returned before shutdown was called")
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
