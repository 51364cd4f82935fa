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

/// Field lists (`Transfer-Encoding`, `Content-Length`, `Connection`) are split at "," bytes and their
/// tokens compared as ASCII (RFC 9110 §5.6.1, §5.6.2), not as Swift `Character`s with Unicode case
/// mapping. `"chun\u{212A}ed".lowercased()` is `"chunked"` (U+212A KELVIN SIGN lowercases to `k`), so
/// the server took a coding no ASCII-comparing proxy calls chunked as chunked: the disagreement request
/// smuggling is made of. And U+0600 before "," forms one grapheme cluster with it, hiding the comma.
@Suite struct FieldListTests {
    @Test func kelvinSignInTransferCodingIsNotChunked() {
        let request = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chun\u{212A}ed\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        let outcomes = MessageReading.readRequests(Array(request.utf8), readSize: 1 << 16, configuration: HTTPServerConfiguration())
        #expect(outcomes.first == .rejected(status: 501), "\(outcomes)")
        let plain = "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: ChunKed\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        guard case .request = MessageReading.readRequests(Array(plain.utf8), readSize: 1 << 16, configuration: HTTPServerConfiguration()).first else {
            Issue.record("ASCII case-insensitive chunked must still be read")
            return
        }
    }

    @Test func commaAfterAPrependCharacterSeparatesListElements() {
        let headers: HTTPHeaders = ["Connection": "x\u{0600},close"]
        #expect(headers.hasToken("close", in: "Connection"))
        #expect(HTTPHeaders.listElements("a\u{0600}, b ,,c").map { Array($0.utf8) }
            == [Array("a\u{0600}".utf8), Array("b".utf8), Array("c".utf8)])
    }
}

/// `Content-Length` read as bytes (RFC 9110 §8.6, RFC 9112 §6.3): 1*DIGIT, leading zeros allowed;
/// a comma list of identical members is that one length, different members or anything that is not
/// a digit is 400; a number over the body limit is 413, however many digits it has, never an
/// overflow. The inputs are the fuzz corpus's shapes (`scripts/fuzz`, http-request).
@Suite struct ContentLengthTests {
    static func outcome(_ value: String, body: String = "hello") -> MessageReading.RequestOutcome? {
        let request = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: \(value)\r\nConnection: close\r\n\r\n\(body)"
        return MessageReading.readRequests(Array(request.utf8), readSize: 1 << 16, configuration: HTTPServerConfiguration()).first
    }

    static func bodyLength(_ outcome: MessageReading.RequestOutcome?) -> Int? {
        guard case .request(_, _, _, _, let body, _) = outcome else { return nil }
        return body.count
    }

    @Test(arguments: ["5", "5,5", "5, 5", " 5 ", "5 ,\t5", "05", "0000000000000000000000000000005", "5,5,5,5"])
    func oneLengthIsRead(_ value: String) {
        let outcome = Self.outcome(value)
        #expect(Self.bodyLength(outcome) == 5, "\(value.debugDescription): \(String(describing: outcome))")
    }

    @Test(arguments: ["5, 6", "5,05", "+5", "-5", "5,", ",5", "5,,5", "", "0x5", "5 5", "٥", "5\u{0301}", "5,\u{0301}5", "5\u{0600},5", "１"])
    func anythingElseIs400(_ value: String) {
        #expect(Self.outcome(value) == .rejected(status: 400), "\(value.debugDescription)")
    }

    @Test(arguments: [String(repeating: "9", count: 19), String(repeating: "9", count: 400), "18446744073709551616", "9223372036854775808",
                      "\(HTTPServerConfiguration().maxBodyBytes + 1)", "99999999999999999999, 99999999999999999999"])
    func aLengthOverTheLimitIs413(_ value: String) {
        #expect(Self.outcome(value) == .rejected(status: 413), "\(value.prefix(40))")
    }

    /// Several `Content-Length` fields are one list (RFC 9110 §5.3).
    @Test func severalFieldsAreOneList() {
        let same = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 5, 5\r\nConnection: close\r\n\r\nhello"
        #expect(Self.bodyLength(MessageReading.readRequests(Array(same.utf8), readSize: 7).first) == 5)
        let different = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nContent-Length: 4\r\n\r\nhello"
        #expect(MessageReading.readRequests(Array(different.utf8), readSize: 7).first == .rejected(status: 400))
    }
}
