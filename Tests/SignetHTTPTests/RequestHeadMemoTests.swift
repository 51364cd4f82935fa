@testable import SignetHTTP
import Testing

/// `RequestHeadMemo`: the event loop does not parse a request head again when the very same bytes
/// come again (a keep-alive client polling `timestamp.json`). What the parser makes of every input
/// must stay the same with the memo as without it, whatever comes after the head.
@Suite struct RequestHeadMemoTests {
    /// Reads `text` as one connection, with and without the memo, whole and byte by byte.
    private func outcomesAgree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [MessageReading.RequestOutcome] {
        let bytes = Array(text.utf8)
        let plain = MessageReading.readRequests(bytes, readSize: 1 << 16)
        for readSize in [1, 3, 1 << 16] {
            let remembered = MessageReading.readRequests(bytes, readSize: readSize, rememberingHeads: true)
            #expect(remembered == plain, "pieces of \(readSize)", sourceLocation: sourceLocation)
        }
        return plain
    }

    @Test func repeatedHeadsGiveTheSameRequests() {
        let get = "GET /v2/example.com/app/_trust/tuf/timestamp.json HTTP/1.1\r\nHost: h\r\n\r\n"
        let outcomes = outcomesAgree(String(repeating: get, count: 5)).dropLast()  // the last: end of input
        #expect(outcomes.count == 5)
        #expect(outcomes.allSatisfy {
            if case .request(_, _, "/v2/example.com/app/_trust/tuf/timestamp.json", _, [], true) = $0 { return true }
            return false
        })
    }

    /// A head that declares a body is never taken from the memo: each request's own body is read,
    /// and the bytes after a body are never taken for the next head (request smuggling).
    @Test func headsWithBodiesAreParsedEveryTime() {
        let first = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
        let second = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nworld"
        let chunked = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let outcomes = outcomesAgree(first + second + chunked + chunked + "GET /after HTTP/1.1\r\nHost: h\r\n\r\n")
        let bodies = outcomes.compactMap { outcome -> String? in
            guard case .request(_, _, _, _, let body, _) = outcome else { return nil }
            return String(decoding: body, as: UTF8.self)
        }
        #expect(bodies == ["hello", "world", "abc", "abc", ""])
    }

    @Test func expectContinueHeadsAreNotRemembered() {
        let head = "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"
        let memo = RequestHeadMemo()
        var parser = RequestParser(maxHeaderBytes: 8192, maxBodyBytes: 1024, remote: "memory")
        Array((head + head).utf8).withUnsafeBytes { parser.append($0) }
        for _ in 0..<2 {
            guard case .request(let request, _) = parser.next(memo: memo) else {
                Issue.record("expected a request")
                return
            }
            #expect(request.body == Array("ok".utf8))
        }
        #expect(memo.count == 0)
    }

    /// Rejected heads are not remembered, and a refused head stays refused when sent again.
    @Test func rejectedHeadsStayRejected() {
        let bad = "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
        let memo = RequestHeadMemo()
        for _ in 0..<2 {
            var parser = RequestParser(maxHeaderBytes: 8192, maxBodyBytes: 1024, remote: "memory")
            Array(bad.utf8).withUnsafeBytes { parser.append($0) }
            guard case .rejected(let rejection) = parser.next(memo: memo) else {
                Issue.record("two Host fields must be refused")
                return
            }
            #expect(rejection.status == 400)
        }
        #expect(memo.count == 0)
    }

    /// Distinct heads from clients cannot grow the memo without bound: at most `capacity` heads of at
    /// most `maxHeadBytes` bytes are held.
    @Test func theMemoIsBounded() {
        let memo = RequestHeadMemo()
        for index in 0..<(RequestHeadMemo.capacity * 2 + 7) {
            var parser = RequestParser(maxHeaderBytes: 8192, maxBodyBytes: 1024, remote: "memory")
            Array("GET /x\(index) HTTP/1.1\r\nHost: h\r\n\r\n".utf8).withUnsafeBytes { parser.append($0) }
            guard case .request = parser.next(memo: memo) else {
                Issue.record("request \(index) not read")
                return
            }
            #expect(memo.count <= RequestHeadMemo.capacity)
        }
        var parser = RequestParser(maxHeaderBytes: 8192, maxBodyBytes: 1024, remote: "memory")
        let long = "GET /x HTTP/1.1\r\nHost: h\r\nX-Pad: " + String(repeating: "a", count: RequestHeadMemo.maxHeadBytes) + "\r\n\r\n"
        let before = memo.count
        Array(long.utf8).withUnsafeBytes { parser.append($0) }
        guard case .request = parser.next(memo: memo) else {
            Issue.record("long head not read")
            return
        }
        #expect(memo.count == before, "a head over maxHeadBytes is not kept")
    }

    /// The remote address and client certificate are the connection's, not the remembered head's.
    @Test func aRememberedHeadCarriesTheConnectionsOwnPeer() {
        let head = Array("GET /x HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let memo = RequestHeadMemo()
        var seen: [(String, String?)] = []
        for (remote, subject) in [("10.0.0.1:1", "CN=alice"), ("10.0.0.2:2", nil)] {
            var parser = RequestParser(maxHeaderBytes: 8192, maxBodyBytes: 1024, remote: remote)
            parser.peerSubject = subject
            head.withUnsafeBytes { parser.append($0) }
            guard case .request(let request, _) = parser.next(memo: memo) else {
                Issue.record("not read")
                return
            }
            seen.append((request.remoteAddress, request.peerCertificateSubject))
        }
        #expect(seen.map(\.0) == ["10.0.0.1:1", "10.0.0.2:2"])
        #expect(seen.map(\.1) == ["CN=alice", nil])
        #expect(memo.count == 1)
    }
}

/// `ResponseHead` and `HTTPResponse.preparingHead()`: a response kept and sent many times has its
/// head serialised once; the bytes on the wire are the same as without, and changing the status or
/// headers afterwards is never hidden by the prepared bytes.
@Suite struct PreparedResponseHeadTests {
    @Test func preparedHeadIsDroppedWhenTheResponseChanges() {
        var response = HTTPResponse(status: 200, headers: ["X-A": "1"], body: [1]).preparingHead()
        #expect(response.preparedHead != nil)
        response.body = [2]
        #expect(response.preparedHead != nil, "the body is not part of the prepared head")
        response.headers["X-B"] = "2"
        #expect(response.preparedHead == nil)
        response = response.preparingHead()
        response.status = 404
        #expect(response.preparedHead == nil)
    }

    @Test func preparedAndUnpreparedResponsesSendTheSameBytes() throws {
        let headers: HTTPHeaders = ["Content-Type": "application/json", "X-Split": "a\r\nEvil: 1",
                                    "Content-Length": "999", "Bad Name": "x"]
        let response = HTTPResponse(status: 200, headers: headers, body: Array("{}".utf8))
        let server = try startServer(handler: { request in
            request.path == "/prepared" ? response.preparingHead() : response
        })
        defer { server.shutdown(gracePeriod: 1) }
        let connection = try RawConnection(port: server.boundPort)
        try connection.send("GET /prepared HTTP/1.1\r\nHost: h\r\n\r\nGET /plain HTTP/1.1\r\nHost: h\r\n\r\n")
        let prepared = try connection.readResponse()
        let plain = try connection.readResponse()
        for answer in [prepared, plain] {
            #expect(answer.body == Array("{}".utf8))
            #expect(answer.headers["Content-Length"] == "2")
            #expect(answer.headers["Connection"] == nil)
            #expect(answer.headers["Evil"] == nil && answer.headers["X-Split"] == nil && answer.headers["Bad Name"] == nil)
            #expect(answer.headers["Content-Type"] == "application/json")
            #expect(answer.headers["Date"] != nil)
        }
    }
}
