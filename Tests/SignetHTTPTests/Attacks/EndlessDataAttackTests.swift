import Foundation
import Glibc
import SignetCrypto
@testable import SignetHTTP
import SignetTestSupport
import Testing

/// Endless data: a hostile or broken trust server keeps the client waiting forever — endless
/// `100 Continue` interim responses, a response head, body or TLS handshake dripped one byte at a
/// time, a listener that never answers — the slow-retrieval / endless-data attack of the TUF
/// specification (§1.5.2 "Endless data attacks", "Slow retrieval attacks"). Each request has one
/// deadline for connect, TLS handshake, head and body together, the number of interim responses is
/// capped, and the timeout's message names the phase it hit. (issue 9 hole 4, issue 10 §3)
///
/// Every case runs against a real raw-socket server on 127.0.0.1. `returnsWithin` is a hang
/// detector (far above the 2 s deadline), not a speed check.
@Suite("Attack: endless data")
struct EndlessDataAttackTests {
    static let hangBound = 40.0

    /// A client with a 2 s deadline for the whole request.
    static func client(timeout: Double = 2, tls: TLSClientContext? = nil) -> HTTPClient {
        HTTPClient(tls: tls, timeout: timeout)
    }

    /// Sends a GET to `server` and returns the error it failed with; records an issue when the
    /// request succeeded or did not return.
    static func failure(against server: HostileServer, url: String? = nil, client: HTTPClient = client(),
                        sourceLocation: SourceLocation = #_sourceLocation) -> HTTPError? {
        let target = url ?? server.url + "/v2/example.com/app/_trust/tuf/root.json"
        guard let outcome = returnsWithin(hangBound, { try client.send(method: "GET", url: target) }) else {
            Issue.record("the request did not return within \(hangBound) s", sourceLocation: sourceLocation)
            server.stop()
            return nil
        }
        switch outcome {
        case .success(let response):
            Issue.record("the request succeeded with HTTP \(response.status)", sourceLocation: sourceLocation)
            return nil
        case .failure(let error):
            guard let error = error as? HTTPError else {
                Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
                return nil
            }
            return error
        }
    }

    @Test func endlessInterimResponsesAreCapped() throws {
        let server = try HostileServer(.endlessContinue)
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .malformed, "\(error)")
        #expect(error.message.contains("interim (1xx) responses"), "\(error)")
    }

    @Test func responseHeadDrippedOneByteAtATimeHitsTheDeadline() throws {
        let server = try HostileServer(.drip("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Pad: \(String(repeating: "p", count: 100))\r\n\r\nok", every: 0.5))
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("waiting for the response head"), "\(error)")
        #expect(error.message.contains("2 s"), "\(error)")
    }

    @Test(arguments: [
        "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n",
        "HTTP/1.1 200 OK\r\n\r\n",  // read until close
    ])
    func responseBodyDrippedOneByteAtATimeHitsTheDeadline(head: String) throws {
        let server = try HostileServer(.dripBody(head: head, every: 0.5))
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("while reading the response body"), "\(error)")
    }

    @Test func silentServerHitsTheDeadlineWaitingForTheHead() throws {
        let server = try HostileServer(.silent)
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("waiting for the response head"), "\(error)")
    }

    @Test func listenerThatNeverAcceptsHitsTheDeadline() throws {
        let server = try HostileServer(.silentListener)
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("waiting for the response head"), "\(error)")
    }

    @Test func tlsHandshakeDrippedOneByteAtATimeHitsTheDeadline() throws {
        let server = try HostileServer(.dripTLSRecord(every: 0.5))
        defer { server.stop() }
        let client = Self.client(tls: try TLSClientContext(caFile: nil))
        let error = try #require(Self.failure(against: server, url: "https://127.0.0.1:\(server.port)/v2/", client: client))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("during the TLS handshake"), "\(error)")
    }

    @Test func hostThatNeverAnswersTheConnectHitsTheDeadline() throws {
        let server = try HostileServer(.backlogFull)
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
        #expect(error.message.contains("while connecting"), "\(error)")
    }

    /// The deadline is one budget, not one per phase or per read: a response dripped one byte every
    /// 40 ms takes at least 3.1 s in all (about 1.5 s for the head, 1.6 s for the body), so it is cut
    /// at 2 s although no single read or phase waits that long.
    @Test func theDeadlineCoversHeadAndBodyTogether() throws {
        let response = "HTTP/1.1 200 OK\r\nContent-Length: 40\r\n\r\n" + String(repeating: "x", count: 40)
        let server = try HostileServer(.drip(response, every: 0.04))
        defer { server.stop() }
        let error = try #require(Self.failure(against: server))
        #expect(error.code == .timeout, "\(error)")
    }
}

/// Runs `body` on its own thread and waits up to `bound` seconds for it to return. A hang detector,
/// not a speed check: `bound` is far above any deadline under test. Returns nil when `body` is still
/// running after `bound` (the caller then stops the server, which lets `body` finish).
func returnsWithin<T: Sendable>(_ bound: Double, _ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
    let result = Captured<Result<T, any Error>>()
    let done = DispatchSemaphore(value: 0)
    Thread {
        result.set(Result { try body() })
        done.signal()
    }.start()
    guard done.wait(timeout: .now() + bound) == .success else { return nil }
    return result.value
}
