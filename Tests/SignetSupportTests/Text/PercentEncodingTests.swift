import SignetSupport
import Testing

/// `Text/PercentEncoding.swift`: RFC 3986 unreserved bytes kept, the caller's extras kept, every
/// other UTF-8 byte `%XX`.
@Suite struct PercentEncodingTests {
    @Test func unreservedAndExtrasAreKept() {
        #expect(PercentEncoding.encode("aZ09-._~") == "aZ09-._~")
        #expect(PercentEncoding.encode("a/b:c@d e") == "a%2Fb%3Ac%40d%20e")
        #expect(PercentEncoding.encode("a/b:c@d e", keeping: "/:@") == "a/b:c@d%20e")
        #expect(PercentEncoding.encode("é%\u{0}") == "%C3%A9%25%00")
    }
}
