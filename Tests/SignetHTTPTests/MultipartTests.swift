import Foundation
@testable import SignetHTTP
import Testing

/// Golden tests against the multipart uploads the real notary 0.7 client made.
@Suite struct MultipartTests {
    static let postsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/fixtures/notary-0.7/http/client-posts")

    static func fixture(_ stem: String) throws -> (body: [UInt8], contentType: String) {
        let body = try Data(contentsOf: postsDirectory.appendingPathComponent("\(stem).multipart"))
        let contentType = try String(contentsOf: postsDirectory.appendingPathComponent("\(stem).content-type"), encoding: .utf8)
        return ([UInt8](body), contentType.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static let expectedFilenames: [String: [String]] = [
        "0005-03-publish-initial": ["snapshot", "root", "targets"],
        "0024-09-publish-targets": ["targets", "snapshot"],
        "0060-19-publish-delegation": ["targets", "snapshot"],
        "0082-23-publish-delegated": ["targets/releases", "snapshot"],
        "0110-27-key-rotate-targets": ["root", "targets", "snapshot"],
        "0136-28-key-rotate-root": ["root", "snapshot"],
        "0163-29-key-rotate-timestamp-server": ["root", "snapshot"],
        "0198-33-publish-removal": ["snapshot", "targets", "targets/releases"],
        "0205-34-witness-delegation": ["targets/releases", "snapshot"],
        "0285-42-ssm-publish-initial": ["root", "targets", "snapshot"],
        "0306-43-ssm-key-rotate-snapshot-server": ["root"],
        "0329-46-ssm-publish": ["targets"],
    ]

    @Test(arguments: expectedFilenames.keys.sorted())
    func parsesNotaryClientUpload(_ stem: String) throws {
        let (body, contentType) = try Self.fixture(stem)
        let parts = try Multipart.parse(body: body, contentType: contentType)
        #expect(parts.map(\.filename) == Self.expectedFilenames[stem]!.map { Optional($0) })
        for part in parts {
            #expect(part.name == "files")
            #expect(part.headers["Content-Type"] == "application/octet-stream")
            #expect(part.body.starts(with: Array(#"{"signed":"#.utf8)))
            #expect(part.body.last == UInt8(ascii: "}"))  // no delimiter CRLF left on the body
            #expect((try? JSONSerialization.jsonObject(with: Data(part.body))) != nil)
        }
    }

    @Test(arguments: expectedFilenames.keys.sorted())
    func encodeReproducesNotaryBytes(_ stem: String) throws {
        let (body, contentType) = try Self.fixture(stem)
        let boundary = String(contentType.split(separator: "=").last!)
        let parts = try Multipart.parse(body: body, contentType: contentType)
        let encoded = Multipart.encode(parts: parts.map { ($0.name!, $0.filename!, $0.body) }, boundary: boundary)
        #expect(encoded == body)
        #expect(Multipart.contentType(boundary: boundary) == contentType)
    }

    @Test func quotedBoundaryPreambleAndEscapedFilename() throws {
        let body = Array("preamble\r\n--b:1\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\\\"b/c\"\r\n\r\nxy\r\n--b:1--\r\nepilogue".utf8)
        let parts = try Multipart.parse(body: body, contentType: "multipart/form-data; boundary=\"b:1\"")
        #expect(parts.count == 1)
        #expect(parts[0].filename == "a\"b/c")
        #expect(parts[0].body == Array("xy".utf8))
        let unquoted = try Multipart.parse(
            body: Array("--B\r\nContent-Disposition: form-data; name=files; filename=targets/releases\r\n\r\n{}\r\n--B--\r\n".utf8),
            contentType: "multipart/form-data; boundary=B")
        #expect(unquoted.first?.filename == "targets/releases")
    }

    @Test func roundTripWithRandomBoundary() throws {
        let boundary = Multipart.randomBoundary()
        #expect(boundary.count == 60)
        let parts: [(name: String, filename: String, body: [UInt8])] = [("files", "root", Array("{\"signed\":1}".utf8)), ("files", "targets/x", [0, 13, 10, 45, 45])]
        let parsed = try Multipart.parse(body: Multipart.encode(parts: parts, boundary: boundary), contentType: Multipart.contentType(boundary: boundary))
        #expect(parsed.map(\.filename) == ["root", "targets/x"])
        #expect(parsed.map(\.body) == parts.map(\.body))
    }

    @Test func brokenBodiesThrow() throws {
        let good = "--B\r\nContent-Disposition: form-data; name=\"files\"; filename=\"root\"\r\n\r\n{}\r\n--B--\r\n"
        #expect(try Multipart.parse(body: Array(good.utf8), contentType: "multipart/form-data; boundary=B").count == 1)
        let cases: [(String, String, reason: String)] = [
            (good, "application/json", "Content-Type application/json is not multipart"),
            (good, "multipart/form-data", "multipart Content-Type has no valid boundary parameter"),
            (good, "multipart/form-data; boundary=C", "multipart body has no boundary delimiter"),
            ("--B\r\nContent-Disposition: form-data; name=\"files\"\r\n\r\n{}", "multipart/form-data; boundary=B", "multipart body has no closing delimiter"),
            ("--B\r\nContent-Disposition: form-data", "multipart/form-data; boundary=B", "multipart part header section is not terminated"),
            ("--B\r\nno colon here\r\n\r\n{}\r\n--B--\r\n", "multipart/form-data; boundary=B", "multipart part header line without a colon"),
            ("--Bjunk\r\n\r\n{}\r\n--B--\r\n", "multipart/form-data; boundary=B", "garbage after a multipart delimiter"),
            ("", "multipart/form-data; boundary=B", "multipart body has no boundary delimiter"),
        ]
        for (body, contentType, reason) in cases {
            let error = #expect(throws: HTTPError.self, "\(contentType) / \(body.debugDescription)") {
                try Multipart.parse(body: Array(body.utf8), contentType: contentType)
            }
            #expect(error?.code == .malformed, "\(contentType) / \(body.debugDescription)")
            #expect(error?.message == reason, "\(contentType) / \(body.debugDescription): \(String(describing: error))")
        }
    }

    /// Header parameters read their quoted values through `QuotedString`: escapes are undone, a
    /// `;` inside quotes does not split, and an unterminated value or a control character drops
    /// the parameter instead of keeping a guessed value.
    @Test func headerParametersWithHostileQuotedValues() {
        let parsed = HeaderParameters.parse(#"form-data; name="fi;les" ; filename = "a\"b\\c"; x=token"#)
        #expect(parsed.value == "form-data")
        #expect(parsed.parameters.map(\.name) == ["name", "filename", "x"])
        #expect(parsed.parameters.map(\.value) == ["fi;les", #"a"b\c"#, "token"])
        #expect(HeaderParameters.parse(#"form-data; name="files"; filename="root"#).parameters.map(\.name) == ["name"])
        #expect(HeaderParameters.parse("form-data; filename=\"ro\u{1}ot\"; name=files").parameters.isEmpty)
    }

    /// Found by the fuzz smoke run in `.ci/run` (`multipart`): an unquoted (token) value holding NUL was
    /// kept while the same value quoted was dropped, so a part re-encoded with `Multipart.encode` (which
    /// quotes) lost its filename. A token with a control character now ends the list as a quoted one
    /// does (Go's `mime.ParseMediaType` refuses both: control characters are not token characters).
    @Test func tokenValueWithControlCharacterIsDroppedAsAQuotedOneIs() {
        #expect(HeaderParameters.parse("form-data; name=files; filename=ro\u{0}ot").parameters.map(\.name) == ["name"])
        #expect(HeaderParameters.parse("form-data; filename=ro\u{7F}ot; name=files").parameters.isEmpty)
        #expect(HeaderParameters.parse("form-data; name=files; filename=ro\tot").parameters.map(\.value) == ["files", "ro\tot"])
    }

    /// Parameters are split scalar by scalar: U+0600 before `;` or `=` forms one grapheme cluster with it,
    /// and a Character-based split read `name=a\u{0600};filename=x` as one parameter.
    @Test func separatorsAfterAPrependCharacterStillSeparate() {
        let parsed = HeaderParameters.parse("form-data\u{0600}; name=a\u{0600}; filename=\"x\"")
        #expect(Array(parsed.value.utf8) == Array("form-data\u{0600}".utf8))
        #expect(parsed.parameters.map(\.name) == ["name", "filename"])
        #expect(parsed.parameters.map { Array($0.value.utf8) } == [Array("a\u{0600}".utf8), Array("x".utf8)])
    }
}
