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

    /// A file in `--metadata-dir` is signed metadata as a server served it, not a file of the
    /// user's own: one that is not even JSON is "not trusted" (exit 1) naming the role, exactly as
    /// a flipped byte is (`VerifyCommandTests.changedBytesAreRefusedNamingTheRole`, ExitStatus's
    /// rule), for `verify` and `list` alike, with `--json` one document saying exit 1. The files
    /// the user does give (`--root-cert`, `--root-key`, `--from-file`, `--payload`, `-c`) are bad
    /// input (exit 2) naming the file.
    @Test func aMetadataDirFileThatIsNotJSONIsNotTrusted() throws {
        let at = ["--at", "2018-07-25T00:00:00Z"]
        for name in ["timestamp.json", "root.json"] {
            let dir = try SignetBinary.copyFixture("dockerhub-alpine")
            defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
            try Data("{\"signed\": nope".utf8).write(to: dir.appendingPathComponent(name))
            let reason = "\(name.dropLast(5)) metadata is not valid JSON: invalid literal at byte 11"
            for command in [["verify", "docker.io/library/alpine:3.8"], ["list", "docker.io/library/alpine"]] {
                let result = try SignetBinary.run(command + ["--metadata-dir", dir.path] + at)
                #expect(result.status == 1, "\(command) \(name): \(result.stderr)")
                #expect(result.stderr == "signet: \(reason)\n", "\(command) \(name): \(result.stderr)")
                let json = try SignetBinary.run(command + ["--metadata-dir", dir.path, "--json"] + at)
                #expect(json.status == 1, "\(command) \(name): \(json.stderr)")
                let document = try Self.document(json)
                #expect(document["exitCode"] as? Int == 1 && (document["error"] as? String)?.contains(reason) == true, "\(document)")
            }
        }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let notPEM = work.appendingPathComponent("not.pem")
        try Data("{\"signed\": nope".utf8).write(to: notPEM)
        let alpine = SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine").path
        for (option, reason) in [("--root-cert", "\(notPEM.path) is not a PEM certificate"), ("--root-key", "\(notPEM.path) is not a PEM public key or certificate"),
                                 ("-c", "client config \(notPEM.path) is not valid JSON")] {
            let result = try SignetBinary.run(["verify", "docker.io/library/alpine:3.8", "--metadata-dir", alpine, option, notPEM.path] + at)
            #expect(result.status == 2, "\(option): \(result.stderr)")
            #expect(result.stderr.hasPrefix("signet: \(reason)"), "\(option): \(result.stderr)")
        }
    }
}
