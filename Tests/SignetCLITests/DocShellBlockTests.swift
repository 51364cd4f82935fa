import Foundation
import SignetTestSupport
import Testing

/// Issue 16 §5: the docs run as written. Every ```sh block of README.md and docs/verify-in-ci.md is
/// run, in order, in one bash session against a server this test starts, and every `signet`
/// command in docs/migrating-from-notary.md's command table runs against it too. A command must
/// exit 0, or what its `# → TEXT   exit N` comment says (TEXT up to its first `…` must be in the
/// output). Only the lines that build, install or start what the suite already has
/// (`setupPrefixes`) are left out.
@Suite(.serialized) struct DocShellBlockTests {
    /// Lines the suite has already done for the reader: building and installing `signet` (the
    /// built `.build/debug/signet` is first on PATH), installing packages (scripts/test did), the
    /// suite itself, and starting the trust server (the test's own server is `SIGNET_SERVER`).
    static let setupPrefixes = ["swift build", "swift run", "scripts/test", "apt-get ", "install .build/"]

    struct Command: CustomStringConvertible {
        var text: String
        var line: Int
        var status: Int32 = 0
        var expected: String?
        var description: String { "line \(line): \(text)" }
    }

    /// The ```sh blocks of `markdown`, as commands (continuation lines and here-documents joined).
    static func commands(in markdown: String) -> [Command] {
        var commands: [Command] = []
        var inBlock = false
        var pending: Command?
        var heredoc: String?
        for (index, raw) in markdown.components(separatedBy: "\n").enumerated() {
            let line = index + 1
            if raw.hasPrefix("```") {
                inBlock = !inBlock && raw == "```sh"
                continue
            }
            guard inBlock else { continue }
            if var command = pending {
                command.text += "\n" + raw
                if let end = heredoc {
                    if raw.trimmingCharacters(in: .whitespaces) == end { heredoc = nil }
                } else if raw.hasSuffix("\\") {
                    pending = command
                    continue
                }
                if heredoc == nil {
                    commands.append(command)
                    pending = nil
                } else {
                    pending = command
                }
                continue
            }
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") {
                let comment = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
                if comment.hasPrefix("→"), !commands.isEmpty {
                    var expectation = comment.dropFirst().trimmingCharacters(in: .whitespaces)
                    if let range = expectation.range(of: #"\s+exit (\d+)$"#, options: .regularExpression) {
                        commands[commands.count - 1].status = Int32(expectation[range].split(separator: " ").last!)!
                        expectation = String(expectation[..<range.lowerBound])
                    }
                    let prefix = String(expectation.prefix { $0 != "…" }).trimmingCharacters(in: .whitespaces)
                    commands[commands.count - 1].expected = prefix.isEmpty ? nil : prefix
                }
                continue
            }
            if setupPrefixes.contains(where: trimmed.hasPrefix) { continue }
            let command = Command(text: raw, line: line)
            if let match = raw.range(of: #"<<-?'?([A-Za-z_]+)'?"#, options: .regularExpression) {
                heredoc = String(raw[match]).trimmingCharacters(in: CharacterSet(charactersIn: "<-'"))
                pending = command
            } else if raw.hasSuffix("\\") {
                pending = command
            } else {
                commands.append(command)
            }
        }
        return commands
    }

    /// Runs `commands` in one bash session in `directory` and checks each one's exit status and
    /// expected text.
    static func run(_ commands: [Command], page: String, in directory: URL, environment: [String: String]) throws {
        try #require(!commands.isEmpty, "\(page) has no shell commands")
        let results = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: results) }
        var script = "cd '\(directory.path)'\n"
        for (index, command) in commands.enumerated() {
            let base = results.appendingPathComponent("\(index)").path
            script += "{\n\(command.text)\n} > '\(base).out' 2> '\(base).err' < /dev/null; echo $? > '\(base).status'\n"
        }
        let scriptFile = results.appendingPathComponent("page.sh")
        try Data(script.utf8).write(to: scriptFile)
        var env = Dictionary(uniqueKeysWithValues: ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("SIGNET_") || $0.hasPrefix("NOTARY_") }.map { ($0, "") })
        env["PATH"] = CLI.packageRoot.appendingPathComponent(".build/debug").path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        env.merge(environment) { $1 }
        let session = try CLI.run("/usr/bin/timeout", ["600", "/bin/bash", scriptFile.path], environment: env)
        #expect(session.status == 0 || session.status == 1, "\(page): bash: \(session.stderr)")
        for (index, command) in commands.enumerated() {
            let base = results.appendingPathComponent("\(index)").path
            let status = Int32((try? String(contentsOfFile: base + ".status", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
            let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
            #expect(status == command.status, "\(page) \(command): exit \(status), the page says \(command.status)\nstdout: \(out)\nstderr: \(err)")
            if let expected = command.expected {
                #expect(out.contains(expected) || err.contains(expected), "\(page) \(command): the page says the output shows \"\(expected)\"\nstdout: \(out)\nstderr: \(err)")
            }
        }
    }

    @Test func readmeShellBlocksRunAsWritten() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = Self.commands(in: readme)
        // The walkthrough is there, with its expectations.
        #expect(commands.contains { $0.text.contains("signet publish example.com/demo/app") })
        #expect(commands.contains { $0.status == 1 })
        // The README runs at the repository's root (keys-example/, docs/examples/ are relative to it).
        try Self.run(commands, page: "README.md", in: CLI.packageRoot, environment: [
            "HOME": work.appendingPathComponent("home").path, "SIGNET_SERVER": server.url,
        ])
    }

    @Test func verifyInCIShellBlocksRunAsWrittenAgainstATLSServerWithALogin() throws {
        guard RequiredTool.isInstalled("/usr/bin/jq"), RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let (ca, cert, key) = try EndToEndTests.makeTLS(in: work)
        let htpasswd = work.appendingPathComponent("htpasswd").path
        let made = try CLI.run("/usr/bin/htpasswd", ["-c", "-B", "-b", htpasswd, "ci", "ci-secret"])
        try #require(made.status == 0, "htpasswd: \(made.stderr)")
        let server = try SignetServe(directory: work.appendingPathComponent("server"),
                                     arguments: ["--tls-cert", cert, "--tls-key", key, "--htpasswd", htpasswd],
                                     environment: ["SIGNET_SERVER_KEY_PASSPHRASE": "doc-test-server-passphrase"])
        defer { _ = server.stop() }
        let auth = Data("ci:ci-secret".utf8).base64EncodedString()
        // The collection's owner publishes registry.example.com/team/app 1.3 and 1.4.
        let gun = "registry.example.com/team/app"
        let owner = ["-s", server.url, "--tls-ca", ca, "-d", work.appendingPathComponent("owner").path]
        let tags = "1.3 sha256:\(String(repeating: "3", count: 64)) 1300\n1.4 sha256:\(String(repeating: "4", count: 64)) 1400\n"
        for (arguments, stdin) in [(["init", gun], nil), (["add", gun, "--from-file", "-"], tags), (["publish", gun], nil)] as [([String], String?)] {
            let result = try CLI.run(CLI.signet, owner + arguments, environment: CLI.passphrases.merging(["SIGNET_AUTH": auth]) { $1 }, stdin: stdin)
            try #require(result.status == 0, "signet \(arguments): \(result.stderr)")
        }
        let page = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/verify-in-ci.md"), encoding: .utf8)
        let commands = Self.commands(in: page)
        #expect(commands.contains { $0.text.contains("root show") && $0.text.contains("--cert") })
        #expect(commands.contains { $0.text.contains("--from-file") })
        let job = work.appendingPathComponent("job")
        try FileManager.default.createDirectory(at: job, withIntermediateDirectories: true)
        try Self.run(commands, page: "docs/verify-in-ci.md", in: job, environment: [
            "HOME": work.appendingPathComponent("home").path, "SIGNET_SERVER": server.url, "SIGNET_TLS_CA": ca,
            "SIGNET_AUTH": auth, "TAG": "1.4",
        ])
        // What the job printed: the digest it verified.
        let verify = try String(contentsOf: job.appendingPathComponent("verify.json"), encoding: .utf8)
        #expect(verify.contains("sha256:\(String(repeating: "4", count: 64))"), "\(verify)")
    }

    /// Every `signet …` in the migrating page's command table, its placeholders filled, against a
    /// server: none may be refused as bad usage (exit 2) or fail to reach the server (exit 3).
    @Test func migratingPageCommandTableRuns() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try SignetServe(directory: work.appendingPathComponent("server"))
        defer { _ = server.stop() }
        let page = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/migrating-from-notary.md"), encoding: .utf8)
        let section = try #require(page.range(of: "## Commands\n").map { page[$0.upperBound...] })
        let rows = section.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("|") }.prefix { $0.hasPrefix("|") }
            .filter { !$0.hasPrefix("| Notary") && !$0.hasPrefix("|---") }
        var spans: [String] = []
        for row in rows {
            let signetColumn = row.split(separator: "|").dropFirst().first ?? ""
            for match in signetColumn.matches(of: /`(signet [^`]+)`/) { spans.append(String(match.1)) }
        }
        #expect(spans.count >= 5, "\(spans)")
        let file = work.appendingPathComponent("payload.txt")
        try Data("payload\n".utf8).write(to: file)
        let list = work.appendingPathComponent("list.txt")
        try Data("listed sha256:\(String(repeating: "5", count: 64)) 5\n".utf8).write(to: list)
        let images = work.appendingPathComponent("images.txt")
        try Data("example.com/migrating/app:1.0\n".utf8).write(to: images)
        let placeholders = [
            "GUN": "example.com/migrating/app", "NAME": "1.0", "FILE": file.path, "LIST": list.path, "SIZE": "8",
            "HEX": String(repeating: "a", count: 64), "TAG": "1.0", "IMAGES": images.path,
        ]
        let trustDir = work.appendingPathComponent("trust").path
        for span in spans {
            let words = span.split(separator: " ").map(String.init).dropFirst().map { word in
                placeholders.reduce(word) { text, entry in text.replacingOccurrences(of: entry.key, with: entry.value) }
            }
            let result = try CLI.run(CLI.signet, ["-s", server.url, "-d", trustDir] + words, environment: CLI.passphrases)
            #expect(result.status == 0 || result.status == 1, "`\(span)` → signet \(words.joined(separator: " ")): exit \(result.status): \(result.stderr)")
            #expect(!result.stderr.contains("Unknown option") && !result.stderr.contains("Missing expected argument"), "`\(span)`: \(result.stderr)")
        }
    }
}
