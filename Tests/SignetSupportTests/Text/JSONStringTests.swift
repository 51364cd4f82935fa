import Foundation
@testable import SignetSupport
import Testing

/// `JSONString` writes each dialect's escapes byte for byte: canonical (signed), Notary's stored
/// form, Go's `encoding/json`, and `JSONSerialization`'s (the CLI's `--json`).
@Suite struct JSONStringTests {
    /// Every character some dialect escapes, plus ones none does (`/`, `é`, `€` whose UTF-8 starts
    /// with E2 like U+2028's).
    static let hostile = "q\" b\\ s/ nul\u{0} us\u{1F} bs\u{8} ff\u{C} nl\n cr\r tab\t <>& ls\u{2028} ps\u{2029} é €"

    @Test func canonicalEscapesOnlyQuoteAndBackslash() {
        #expect(JSONString.quoted(Self.hostile, style: .canonical)
            == "\"q\\\" b\\\\ s/ nul\u{0} us\u{1F} bs\u{8} ff\u{C} nl\n cr\r tab\t <>& ls\u{2028} ps\u{2029} é €\"")
    }

    @Test func notaryStoredEscapesControlsAndHTML() {
        #expect(JSONString.quoted(Self.hostile, style: .notaryStored)
            == #""q\" b\\ s/ nul\u0000 us\u001f bs\u0008 ff\u000c nl\u000a cr\u000d tab\u0009 \u003c\u003e\u0026 ls\u2028 ps\u2029 é €""#)
    }

    @Test func goEncodingJSONWritesShortFormsForNewlineReturnAndTab() {
        #expect(JSONString.quoted(Self.hostile, style: .goEncodingJSON)
            == #""q\" b\\ s/ nul\u0000 us\u001f bs\u0008 ff\u000c nl\n cr\r tab\t \u003c\u003e\u0026 ls\u2028 ps\u2029 é €""#)
    }

    /// The CLI's `--json` must read as full Foundation's `JSONSerialization` wrote it.
    @Test func foundationMatchesJSONSerialization() throws {
        let expected = try JSONSerialization.data(withJSONObject: [Self.hostile], options: [.withoutEscapingSlashes])
        let text = String(decoding: expected, as: UTF8.self)
        #expect("[" + JSONString.quoted(Self.hostile, style: .foundation) + "]" == text)
    }

    /// Every escaping style but the canonical one (raw control characters) is JSON that parses back
    /// to the same string.
    @Test func escapedStylesParseBack() throws {
        for style in [JSONString.Style.notaryStored, .goEncodingJSON, .foundation] {
            let text = "[" + JSONString.quoted(Self.hostile, style: style) + "]"
            let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]
            #expect(parsed == [Self.hostile])
        }
    }

    @Test func appendWritesUTF8Bytes() {
        var out = Array("x=".utf8)
        JSONString.append("é<", to: &out, style: .canonical)
        #expect(out == Array("x=\"é<\"".utf8))
    }
}
