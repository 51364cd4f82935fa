@testable import SignetSupport
import Testing

/// `QuotedString` reads RFC 9110 quoted-strings and refuses the hostile ones (unterminated, a
/// trailing lone backslash, control characters) instead of guessing where they end.
@Suite struct QuotedStringTests {
    @Test func readsTheValueAndTheRest() throws {
        let (value, rest) = try #require(QuotedString.read(#""https://auth.example.com/token",service="notary""#))
        #expect(value == "https://auth.example.com/token")
        #expect(rest == #",service="notary""#)
    }

    @Test func unescapesQuotedPairs() throws {
        #expect(QuotedString.read(#""a\"b\\c\d""#)?.value == #"a"b\cd"#)
        #expect(QuotedString.read(#""a,b; c=d""#)?.value == "a,b; c=d")
        #expect(QuotedString.read(#""""#)?.value == "")
        #expect(QuotedString.read("\"tab\there\"")?.value == "tab\there")
        #expect(QuotedString.read("\"é ü\"")?.value == "é ü")
    }

    @Test(arguments: [
        "\"unterminated",          // no closing quote
        #""ends in an escaped quote\""#,  // the last quote is escaped
        "\"lone backslash\\",      // quoted-pair cut off
        "no opening quote\"",
        "",
        "\"nul\u{0}\"", "\"line\nbreak\"", "\"carriage\rreturn\"", "\"escaped \\\u{1}\"", "\"delete\u{7F}\"",
    ])
    func refusesHostileInput(_ text: String) {
        #expect(QuotedString.read(Substring(text)) == nil)
    }

    @Test func quoteEscapesBackslashAndQuoteAndReadsBack() {
        #expect(QuotedString.quote(#"a"b\c"#) == #""a\"b\\c""#)
        for text in ["", "plain", #"\"#, #"""#, #"\"\\"#, "repository:example.com/x:pull,push", "é"] {
            #expect(QuotedString.read(Substring(QuotedString.quote(text)))?.value == text)
            #expect(QuotedString.read(Substring(QuotedString.quote(text)))?.rest == "")
        }
    }
}
