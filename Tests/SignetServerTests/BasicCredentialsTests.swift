import Foundation
@testable import SignetServer
import Testing

/// `Authorization: Basic` credentials split at the first `:` byte (RFC 7617 §2), as Go's
/// `strings.Cut` does — not at the first `:` Character, which a preceding U+0600 swallows.
@Suite("Basic credentials") struct BasicCredentialsTests {
    @Test func splitsAtTheFirstColonByte() throws {
        let encoded = Data("user\u{0600}:pass:word".utf8).base64EncodedString()
        let (user, password) = try #require(AccessControl.decodeBasic(encoded))
        #expect(Array(user.utf8) == Array("user\u{0600}".utf8))
        #expect(password == "pass:word")
        #expect(AccessControl.decodeBasic(Data(":pw".utf8).base64EncodedString()) == nil)
        #expect(AccessControl.decodeBasic(Data("nocolon".utf8).base64EncodedString()) == nil)
    }
}
