import Foundation
@testable import SignetCrypto
import Testing

@Suite("PEM")
struct PEMTests {
    @Test func goLayoutHeadersSortedProcTypeFirst() {
        let block = PEMBlock(type: "ENCRYPTED PRIVATE KEY",
                             headers: [("role", "targets"), ("path", "abc"), ("Proc-Type", "4,ENCRYPTED"), ("gun", "docker.io/x")],
                             der: Array(0..<100))
        let text = block.encoded()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "-----BEGIN ENCRYPTED PRIVATE KEY-----")
        #expect(Array(lines[1...5]) == ["Proc-Type: 4,ENCRYPTED", "gun: docker.io/x", "path: abc", "role: targets", ""])
        #expect(lines[6].count == 64)
        #expect(text.hasSuffix("-----END ENCRYPTED PRIVATE KEY-----\n"))
        #expect(PEMBlock(type: "X", der: [1, 2, 3]).encoded() == "-----BEGIN X-----\nAQID\n-----END X-----\n")
    }

    @Test func parseAllKeepsOrderHeadersAndSkipsNoise() throws {
        let a = PEMBlock(type: "CERTIFICATE", der: Array(repeating: 7, count: 200))
        let b = PEMBlock(type: "EC PRIVATE KEY", headers: [("role", "root"), ("gun", "g")], der: [9, 9, 9])
        let text = "junk before\n" + a.encoded() + "between\r\n" + b.encoded().replacingOccurrences(of: "\n", with: "\r\n") + "trailer"
        let blocks = try PEMBlock.parseAll(text)
        #expect(blocks.count == 2)
        #expect(blocks[0] == a)
        #expect(blocks[1].type == "EC PRIVATE KEY")
        #expect(blocks[1].der == [9, 9, 9])
        #expect(blocks[1].header("role") == "root")
        #expect(blocks[1].header("gun") == "g")
        #expect(blocks[1].headers.map(\.name) == ["gun", "role"])  // as written by encoded()
        #expect(try PEMBlock.parseAll("").isEmpty)
    }

    @Test func malformedBlocksThrow() {
        let unterminated = #expect(throws: CryptoError.self) { try PEMBlock.parseAll("-----BEGIN X-----\nAQID\n") }
        #expect(unterminated?.code == .malformedKey)
        #expect(unterminated?.description.contains("END") == true, "\(String(describing: unterminated))")
        let badBase64 = #expect(throws: CryptoError.self) { try PEMBlock.parseAll("-----BEGIN X-----\n@@@\n-----END X-----\n") }
        #expect(badBase64?.code == .malformedKey)
        #expect(badBase64?.description.contains("base64") == true, "\(String(describing: badBase64))")
    }

    /// Found by `scripts/fuzz keys`: U+0600 (a Unicode "prepend" character) before the header's colon forms one
    /// grapheme cluster with it, so a Character-based parser did not see the colon, and a block did not survive
    /// `encoded()` → `parseAll`. PEM is parsed scalar by scalar, as Go's `encoding/pem` parses bytes.
    @Test func headerColonAfterPrependCharacterIsAColon() throws {
        let text = "-----BEGIN EC PRIVATE KEY-----\na\u{0600}: v\n\nAAAA\n-----END EC PRIVATE KEY-----\n"
        let blocks = try PEMBlock.parseAll(text)
        try #require(blocks.count == 1)
        #expect(blocks[0].headers.map(\.name) == ["a\u{0600}"])
        #expect(blocks[0].headers.map(\.value) == ["v"])
        #expect(blocks[0].der == [0, 0, 0])
        let spaced = try PEMBlock.parseAll("-----BEGIN X-----\na\u{0600} : v\n\nAAAA\n-----END X-----\n")
        try #require(spaced.count == 1)
        let again = try PEMBlock.parseAll(spaced[0].encoded())
        #expect(again == spaced)
    }

    /// Lines end at the "\n" scalar whatever follows it; a combining mark after the line break belongs to the next line.
    @Test func lineBreakBeforeCombiningMarkEndsTheLine() throws {
        let text = "-----BEGIN X-----\nn: v\n\u{0301}m: w\n\nAAAA\n-----END X-----\n"
        let blocks = try PEMBlock.parseAll(text)
        try #require(blocks.count == 1)
        #expect(blocks[0].headers.map(\.name) == ["n", "\u{0301}m"])
    }

    /// Go compares the END line byte for byte; Swift's `==` on String treats U+212A KELVIN SIGN as "K". A block
    /// whose END line only canonically equals its BEGIN type is not closed, and header names match as bytes.
    @Test func endLineAndHeaderNamesCompareAsBytes() throws {
        #expect(throws: CryptoError.self) {
            try PEMBlock.parseAll("-----BEGIN \u{212A}-----\nAAAA\n-----END K-----\n")
        }
        let block = try #require(try PEMBlock.parseAll("-----BEGIN X-----\n\u{212A}: kelvin\n\nAAAA\n-----END X-----\n").first)
        #expect(block.header("K") == nil)
        #expect(block.header("\u{212A}") == "kelvin")
        #expect(PEMBlock(type: "\u{212A}", der: []) != PEMBlock(type: "K", der: []))
    }

    @Test func publicKeyPEMRoundTrip() throws {
        for algorithm in [KeyAlgorithm.ecdsa, .ed25519] {
            let key = try PrivateKey.generate(algorithm).publicKey
            let pem = key.pem()
            #expect(pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
            #expect(try PublicKey(pem: pem) == key)
        }
    }
}
