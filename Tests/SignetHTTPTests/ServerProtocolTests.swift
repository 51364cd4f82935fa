import Foundation
import Glibc
@testable import SignetHTTP
import Testing

/// Wire-level behaviour, driven with raw sockets so the exact bytes are under test.
@Suite struct ServerProtocolTests {
    @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET /one HTTP/1.1\r\nHost: localhost\r\n\r\n")
        let first = try connection.readResponse()
        #expect(first.status == 200)
        #expect(first.bodyText == "hello /one")
        #expect(first.headers["Connection"] == nil)
        try connection.send("GET /two HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        let second = try connection.readResponse()
        #expect(second.bodyText == "hello /two")
        #expect(second.headers["Connection"] == "close")
        #expect(connection.isClosedByPeer())
    }

    @Test func http10ClosesUnlessKeepAlive() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let keep = try RawConnection(port: server.boundPort)
        try keep.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        #expect(try keep.readResponse().headers["Connection"] == "keep-alive")
        try keep.send("GET /b HTTP/1.0\r\n\r\n")
        let last = try keep.readResponse()
        #expect(last.bodyText == "hello /b")
        #expect(last.headers["Connection"] == "close")
        #expect(keep.isClosedByPeer())
    }

    @Test func chunkedRequestBody() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.bodyText == "hello, world")
        #expect(response.headers["X-Body-Length"] == "12")
        // The connection stays usable after a chunked body.
        try connection.send("GET /after HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try connection.readResponse().bodyText == "hello /after")
    }

    @Test func expectContinueGetsInterimResponseBeforeBody() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try connection.readResponse(noBody: true)
        #expect(interim.status == 100)
        try connection.send("data")
        let final = try connection.readResponse()
        #expect(final.status == 200)
        #expect(final.bodyText == "data")
    }

    @Test func expectContinueOverLimitIsRefusedWithoutReadingBody() throws {
        let server = try startServer { $0.maxBodyBytes = 10 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n")
        #expect(try connection.readResponse().status == 413)
    }

    @Test func oversizedHeaderSectionGets431AndClose() throws {
        let server = try startServer { $0.maxHeaderBytes = 1024 }
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 2000))\r\n\r\n")
        let response = try connection.readResponse()
        #expect(response.status == 431)
        #expect(response.headers["Connection"] == "close")
        #expect(connection.isClosedByPeer())
    }

    @Test func oversizedBodyGets413AndServerKeepsServing() throws {
        let server = try startServer { $0.maxBodyBytes = 1024 }
        defer { server.shutdown(gracePeriod: 1) }
        let big = try RawConnection(port: server.boundPort)
        try big.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + String(repeating: "z", count: 4096))
        let refused = try big.readResponse()
        #expect(refused.status == 413)
        #expect(refused.headers["Connection"] == "close")

        let chunked = try RawConnection(port: server.boundPort)
        let chunk = String(repeating: "y", count: 800)
        try chunked.send("POST /big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n\(chunk)\r\n320\r\n\(chunk)\r\n0\r\n\r\n")
        #expect(try chunked.readResponse().status == 413)

        let ok = try HTTPClient().send(method: "POST", url: url(server, "/small"), body: Array(repeating: 1, count: 1024))
        #expect(ok.status == 200)
        #expect(ok.body.count == 1024)
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",  // not a request line
        "GET /\r\nHost: x\r\n\r\n",  // no version
        "GET  / HTTP/1.1\r\nHost: x\r\n\r\n",  // double space
        "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "GET / HTTX/1.1\r\nHost: x\r\n\r\n",
        "GET nopath HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",  // broken escape
        "GET / HTTP/1.1\r\n\r\n",  // HTTP/1.1 without Host
        "GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n  b\r\n\r\n",  // obs-fold
        "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
        "GET / HTTP/1.1\r\nHost : x\r\n\r\n",  // space before colon
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",  // CL + TE
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  // bad chunk size
    ])
    func malformedRequestsGet400AndClose(_ raw: String) throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send(raw)
        let response = try connection.readResponse()
        #expect(response.status == 400)
        #expect(response.headers["Connection"] == "close")
        #expect(connection.isClosedByPeer())
    }

    @Test func otherRefusals() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let cases: [(String, Int)] = [
            ("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
            ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
            ("POST / HTTP/1.1\r\nHost: x\r\nExpect: something\r\nContent-Length: 1\r\n\r\nx", 417),
        ]
        for (raw, status) in cases {
            let connection = try RawConnection(port: server.boundPort)
            try connection.send(raw)
            #expect(try connection.readResponse().status == status, "\(raw.debugDescription)")
        }
    }

    @Test func pipelinedRequestsAnsweredInOrder() throws {
        let server = try startServer()
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("\r\nGET /1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhiGET /3 HTTP/1.1\nHost: x\n\n")
        #expect(try connection.readResponse().bodyText == "hello /1")
        #expect(try connection.readResponse().bodyText == "hi")
        #expect(try connection.readResponse().bodyText == "hello /3")
    }

    @Test func handlerFramingHeadersAreReplacedAndHugeBodyWrittenFully() throws {
        let big = [UInt8](repeating: 0x41, count: 8 * 1024 * 1024)
        let server = try startServer(handler: { _ in
            HTTPResponse(status: 200, headers: ["Content-Length": "1", "Transfer-Encoding": "chunked", "X-Evil": "a\r\nInjected: 1"], body: big)
        })
        defer { server.shutdown(gracePeriod: 1) }
        let response = try HTTPClient().send(method: "GET", url: url(server, "/big"))
        #expect(response.body.count == big.count)
        #expect(response.headers["Content-Length"] == String(big.count))
        #expect(response.headers["Transfer-Encoding"] == nil)
        #expect(response.headers["Injected"] == nil && response.headers["X-Evil"] == nil)
    }
}
