import Foundation
import SignetTestSupport
import Testing

/// Files the user names on the command line that are too large or malformed are bad input
/// (exit 2, DESIGN.md's CLI contract) with one line naming the file and what is wrong, and
/// with `--json` one document on stdout.
@Suite struct BadInputFileTests {
    /// The one JSON document `--json` printed.
    static func document(_ result: CLI.Result) throws -> [String: Any] {
        let lines = result.stdout.split(separator: "\n")
        try #require(lines.count == 1, "one JSON document on stdout: \(result.stdout)")
        return try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    }

    /// `add --from-file` over its 256 MiB limit (a sparse file, so nothing is written).
    @Test func anOversizedTargetListIsBadInputNamingFileAndLimit() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let list = work.appendingPathComponent("tags.txt")
        #expect(FileManager.default.createFile(atPath: list.path, contents: nil))
        let handle = try FileHandle(forWritingTo: list)
        try handle.truncate(atOffset: UInt64(256 << 20) + 1)
        try handle.close()
        let trustDir = work.appendingPathComponent("trust").path
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        let human = try SignetBinary.run(["add", "example.com/bad-input/app", "--from-file", list.path, "-d", trustDir, "-s", closed])
        #expect(human.status == 2, "\(human.stderr)")
        #expect(human.stderr == "signet: target list \(list.path) is larger than 268435456 bytes\n", "\(human.stderr)")
        let json = try SignetBinary.run(["add", "example.com/bad-input/app", "--from-file", list.path, "-d", trustDir, "-s", closed, "--json"])
        #expect(json.status == 2, "\(json.stderr)")
        let document = try Self.document(json)
        #expect(document["exitCode"] as? Int == 2, "\(document)")
        #expect((document["error"] as? String)?.contains("target list \(list.path) is larger than 268435456 bytes") == true, "\(document)")
    }
}
