import Foundation
@testable import SignetHTTP
import Testing

@Suite struct ServerRoundTripTests {
    @Test func getAndPostRoundTripWithClient() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let client = HTTPClient()

        let get = try client.send(method: "GET", url: url(server, "/v2/docker.io%2Flibrary/_trust/tuf/root.json?x=1&y=a+b"))
        #expect(get.status == 200)
        #expect(get.headers["content-type"] == "text/plain; charset=utf-8")
        #expect(get.headers["X-Path"] == "/v2/docker.io/library/_trust/tuf/root.json")
        #expect(get.bodyText == "hello /v2/docker.io/library/_trust/tuf/root.json")
        #expect(get.headers["Content-Length"] == String(get.body.count))
        #expect(get.headers["Date"]?.hasSuffix(" GMT") == true)

        let payload = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let post = try client.send(method: "POST", url: url(server, "/upload"), headers: ["Content-Type": "application/octet-stream"], body: payload)
        #expect(post.status == 200)
        #expect(post.headers["X-Method"] == "POST")
        #expect(post.body == payload)
    }

    @Test func queryAndTargetAreParsed() throws {
        let seen = Captured<HTTPRequest>()
        let server = try startServer(handler: { request in seen.set(request); return HTTPResponse(status: 204) })
        defer { server.shutdown(gracePeriod: 1) }
        let response = try HTTPClient().send(method: "GET", url: url(server, "/a%20b/c?name=x%2Fy&flag&plus=1+2"))
        #expect(response.status == 204)
        #expect(response.headers["Content-Length"] == nil)
        let request = try #require(seen.value)
        #expect(request.target == "/a%20b/c?name=x%2Fy&flag&plus=1+2")
        #expect(request.path == "/a b/c")
        #expect(request.query == ["name": "x/y", "flag": "", "plus": "1 2"])
        #expect(request.remoteAddress.hasPrefix("127.0.0.1:"))
        #expect(request.peerCertificateSubject == nil)
    }

    @Test func headGetsGetHeadersWithoutBody() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("HEAD /thing HTTP/1.1\r\nHost: x\r\n\r\nGET /thing HTTP/1.1\r\nHost: x\r\n\r\n")
        let head = try connection.readResponse(noBody: true)
        #expect(head.status == 200)
        #expect(head.headers["Content-Length"] == String("hello /thing".utf8.count))
        let get = try connection.readResponse()  // would misparse if HEAD had sent a body
        #expect(get.bodyText == "hello /thing")
    }

    @Test func clientReportsUnreachableServer() throws {
        // Bind a port, then stop the server so nothing listens there.
        let server = try startServer()
        let port = server.boundPort
        server.shutdown(gracePeriod: 0)
        let refused = #expect(throws: HTTPError.self) { try HTTPClient(timeout: 1).send(method: "GET", url: "http://127.0.0.1:\(port)/") }
        #expect(refused?.code == .connect, "\(String(describing: refused))")
        do {
            _ = try HTTPClient(timeout: 1).send(method: "GET", url: "http://127.0.0.1:\(port)/")
        } catch let error as HTTPError {
            #expect(error.code == .connect)
            #expect(error.message.contains("127.0.0.1:\(port)"))
        }
    }

    @Test func bindFailureNamesAddress() throws {
        let first = try startServer()
        defer { first.shutdown(gracePeriod: 0) }
        let second = HTTPServer(configuration: HTTPServerConfiguration(port: first.boundPort), logger: testLogger, handler: echoHandler)
        do {
            try second.start()
            Issue.record("second bind on the same port succeeded")
        } catch let error as HTTPError {
            #expect(error.code == .bind)
            #expect(error.message.contains("127.0.0.1:\(first.boundPort)"))
            #expect(error.message.contains("in use"))
        }
    }
}

/// A thread-safe box for a value a handler captures.
final class Captured<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    func set(_ value: T) { lock.lock(); stored = value; lock.unlock() }
    var value: T? { lock.lock(); defer { lock.unlock() }; return stored }
}
