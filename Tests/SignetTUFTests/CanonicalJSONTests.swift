import Foundation
import SignetTUF
import Testing

@Suite struct CanonicalJSONTests {
    @Test func everyFixtureFileReserializesToItsBytes() throws {
        let files = Fixtures.metadataFiles(below: Fixtures.root.appendingPathComponent("notary-0.7"))
            + Fixtures.metadataFiles(below: Fixtures.alpine)
            + Fixtures.metadataFiles(below: Fixtures.root.appendingPathComponent("notary-0.1-samplerepo"))
        #expect(files.count > 60)
        for url in files {
            let bytes = try Fixtures.bytes(url)
            let file = try MetadataFile.parse(bytes, role: url.lastPathComponent)
            #expect(try file.serialized() == bytes, "\(url.path)")
        }
    }

    @Test func sortsKeysByBytesAndEscapesOnlyQuoteAndBackslash() throws {
        let value = JSONValue.object([
            "b": .int(1), "B": .int(2), "_a": .null, "a10": .bool(true), "a9": .bool(false), "é": .string("x"),
            "s": .string("tab\there \u{1} \"q\" \\ / <>& é ☃ 😀"),
        ])
        let text = String(decoding: try CanonicalJSON.encode(value), as: UTF8.self)
        #expect(text == "{\"B\":2,\"_a\":null,\"a10\":true,\"a9\":false,\"b\":1,\"s\":\"tab\there \u{1} \\\"q\\\" \\\\ / <>& é ☃ 😀\",\"é\":\"x\"}")
    }

    /// Key order is UTF-8 byte order (unsigned, a proper prefix first), for ASCII, multi-byte and
    /// empty keys alike, in objects small and large.
    @Test func keyOrderIsUTF8ByteOrder() throws {
        let keys = ["", "a", "ab", "a\u{0}", "A", "z", "é", "\u{7F}", "\u{80}", "\u{FFFF}", "😀", "ﬀ", "a b", "hashes", "length", "sha256", "sha512", "custom"]
            + (0..<200).map { "target-\(($0 * 7919) % 1000)" }
        let members = Dictionary(keys.map { ($0, JSONValue.int(Int64($0.utf8.count))) }, uniquingKeysWith: { first, _ in first })
        let expected = members.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        #expect(CanonicalJSON.sortedKeys(members) == expected)
        let encoded = try CanonicalJSON.encode(.object(members))
        var reference: [UInt8] = [UInt8(ascii: "{")]
        for (position, key) in expected.enumerated() {
            if position > 0 { reference.append(UInt8(ascii: ",")) }
            try CanonicalJSON.write(.string(key), into: &reference)
            reference.append(UInt8(ascii: ":"))
            try CanonicalJSON.write(members[key]!, into: &reference)
        }
        reference.append(UInt8(ascii: "}"))
        #expect(encoded == reference)
    }

    /// Found by fuzzing (`scripts/fuzz metadata`, regression input
    /// `Tests/Fuzz/Corpus/metadata/regression-control-character.json`): the stored form wrote control
    /// characters raw, so a targets file whose custom data held a newline serialized to bytes that no
    /// JSON parser (Signet's, Go's) reads. Signatures still cover the plain form, which keeps them raw.
    @Test func storedFormEscapesControlCharactersAndParsesBack() throws {
        let signed = JSONValue.object(["_type": .string("Targets"), "custom": .string("line 1\nline 2\t\u{0}\u{1f}\u{7f}")])
        let file = MetadataFile(signed: signed, signatures: [])
        let bytes = try file.serialized()
        let reparsed = try MetadataFile.parse(bytes, role: "targets")
        #expect(reparsed.signed == signed)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\"line 1\\u000aline 2\\u0009\\u0000\\u001f\u{7f}\""))
        #expect(try CanonicalJSON.encode(signed).contains(0x0A), "the signed (plain) form keeps Notary's raw bytes")
    }

    @Test func htmlEscapedVariantMatchesGoStorage() throws {
        let value = JSONValue.object(["n": .string("a<b>&c\u{2028}\u{2029}")])
        let text = String(decoding: try CanonicalJSON.encode(value, htmlEscaped: true), as: UTF8.self)
        #expect(text == #"{"n":"a\u003cb\u003e\u0026c\u2028\u2029"}"#)
    }

    @Test func refusesFractionalNumbers() throws {
        let value = try JSONParser.parse(Array(#"{"a":1.5}"#.utf8))
        let error = #expect(throws: TUFError.self) { try CanonicalJSON.encode(value) }
        #expect(error?.code == .malformed)
        #expect(error?.message == "canonical JSON allows integers only, found the number 1.5", "\(String(describing: error))")
    }

    @Test func parserRefusesBadInput() {
        let bad = [#"{"a":1"#, #"{"a":1,"a":2}"#, "[1,]", "\"\u{1}\"", "nul", "{\"a\":01}", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "\"\\ud800\""]
        for text in bad {
            let error = #expect(throws: TUFError.self, "\(text)") { try JSONParser.parse(Array(text.utf8)) }
            #expect(error?.code == .malformed, "\(text)")
            #expect(error?.message.contains("is not valid JSON") == true, "\(text): \(String(describing: error))")
        }
    }

    @Test func parserKeepsLargeIntegersAndUnicodeEscapes() throws {
        let value = try JSONParser.parse(Array(#"{"n":9007199254740993,"s":"\u00e9\ud83d\ude00\/"}"#.utf8))
        #expect(value["n"] == .int(9007199254740993))
        #expect(value["s"] == .string("é😀/"))
    }
}
