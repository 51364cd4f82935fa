import Foundation
import SignetTestSupport
import Testing

/// Issue 17 §4: long work shows a progress line on stderr when stderr is a terminal — here
/// `signet add GUN TAG FILE` hashing a 200 MB file under a pseudo-terminal (`script`, Debian
/// bsdutils) — and nothing when stderr is piped, or with `--quiet`.
@Suite(.serialized) struct ProgressTests {
    static let script = "/usr/bin/script"

    static func shellQuote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    @Test func addOfALargeFileShowsProgressOnATerminalOnly() throws {
        guard RequiredTool.isInstalled(Self.script) else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = work.appendingPathComponent("image.tar")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        let chunk = Data(repeating: 0x5A, count: 1_000_000)
        for _ in 0..<200 { handle.write(chunk) }
        try handle.close()
        let trust = work.appendingPathComponent("trust").path
        func command(_ tag: String, _ extra: [String] = []) -> [String] {
            [CLI.signet, "add", "example.com/progress/app", tag, file.path, "--role", "targets", "-d", trust] + extra
        }

        // Under a pseudo-terminal: script runs the command with the terminal as its stdin, stdout and stderr.
        let terminal = try CLI.run(Self.script, ["-q", "-e", "-c", command("1.0").map(Self.shellQuote).joined(separator: " "), "/dev/null"])
        #expect(terminal.status == 0, "\(terminal.stdout) \(terminal.stderr)")
        #expect(terminal.stdout.contains("hashing \(file.path)"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains(" of 200.0 MB"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("MB/s"), "\(terminal.stdout)")
        #expect(terminal.stdout.contains("\u{1B}[K"), "the line is rewritten in place and erased: \(terminal.stdout)")
        #expect(terminal.stdout.contains("Addition of target \"1.0\""), "\(terminal.stdout)")

        // Piped: the same command, no progress at all.
        let piped = try CLI.run(CLI.signet, Array(command("2.0").dropFirst()))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(!piped.stderr.contains("hashing") && !piped.stderr.contains("\u{1B}"), "\(piped.stderr)")
        #expect(piped.stdout.contains("Addition of target \"2.0\""), "\(piped.stdout)")

        // A terminal with --quiet: none either.
        let quiet = try CLI.run(Self.script, ["-q", "-e", "-c", command("3.0", ["--quiet"]).map(Self.shellQuote).joined(separator: " "), "/dev/null"])
        #expect(quiet.status == 0, "\(quiet.stdout)")
        #expect(!quiet.stdout.contains("hashing"), "\(quiet.stdout)")
        #expect(quiet.stdout.contains("Addition of target \"3.0\""), "\(quiet.stdout)")
    }

    /// `publish` of a large collection: the staged changes applied, items of total, on a terminal.
    @Test func publishOfManyTagsShowsProgressOnATerminalOnly() throws {
        guard RequiredTool.isInstalled(Self.script) else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let options = ["-d", work.appendingPathComponent("trust").path, "-s", server.url]
        let list = work.appendingPathComponent("tags.txt")
        try (0..<300).map { "tag-\($0) sha256:\(String(repeating: "ab", count: 32)) \($0 + 1)" }.joined(separator: "\n").write(to: list, atomically: true, encoding: .utf8)
        for gun in ["example.com/progress/terminal", "example.com/progress/piped"] {
            for arguments in [["init", gun], ["add", gun, "--from-file", list.path, "--role", "targets"]] {
                let result = try CLI.run(CLI.signet, arguments + options, environment: CLI.passphrases)
                try #require(result.status == 0, "\(arguments): \(result.stderr)")
            }
        }
        let command = [CLI.signet, "publish", "example.com/progress/terminal"] + options
        let terminal = try CLI.run(Self.script, ["-q", "-e", "-c", command.map(Self.shellQuote).joined(separator: " "), "/dev/null"], environment: CLI.passphrases)
        #expect(terminal.status == 0, "\(terminal.stdout)")
        #expect(terminal.stdout.range(of: #"applying staged changes  \d+ of 300"#, options: .regularExpression) != nil, "\(terminal.stdout)")
        #expect(terminal.stdout.contains("Successfully published"), "\(terminal.stdout)")
        let piped = try CLI.run(CLI.signet, ["publish", "example.com/progress/piped"] + options, environment: CLI.passphrases)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(!piped.stderr.contains("applying staged changes") && !piped.stderr.contains("\u{1B}"), "\(piped.stderr)")
    }
}
