@testable import SignetHTTP
import Testing

// Request heads read from memory (`Sources/SignetHTTP/Parsing/`), in pieces of any size.

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
