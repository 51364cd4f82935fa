import Foundation
import SignetTestSupport
import Testing

/// Issue 16 §1: Notary users type the global options before the subcommand
/// (`signet -s URL -d DIR --tls-ca FILE -v publish GUN`, as docs/access-control.md shows); Signet
/// took them only after it. Every command must behave the same with the options in either place.
/// The commands are discovered from the command tree itself (`--experimental-dump-help`, which
/// swift-argument-parser builds from `Signet.configuration.subcommands`, recursively), so commands
/// added later are covered without editing this test.
@Suite struct GlobalOptionsPlacementTests {
    /// A command path and values for its positional arguments.
    struct Command: CustomStringConvertible {
        var path: [String]
        var required: [String]
        var description: String { path.joined(separator: " ") }
    }

    /// Every command of the tree (groups included), from `signet --experimental-dump-help`.
    static func commandTree() throws -> [Command] {
        let dump = try SignetBinary.run(["--experimental-dump-help"])
        try #require(dump.status == 0, "--experimental-dump-help: \(dump.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any])
        var commands: [Command] = []
        func walk(_ node: [String: Any], path: [String]) {
            let arguments = node["arguments"] as? [[String: Any]] ?? []
            // Every positional but those with a default value (`key generate`'s algorithm).
            let required = arguments.filter { $0["kind"] as? String == "positional" && (($0["defaultValue"] as? String) ?? "").isEmpty }
                .map { Self.filler(for: $0["valueName"] as? String ?? "") }
            if !path.isEmpty { commands.append(Command(path: path, required: required)) }
            for child in node["subcommands"] as? [[String: Any]] ?? [] {
                guard let name = child["commandName"] as? String, name != "help" else { continue }
                walk(child, path: path + [name])
            }
        }
        walk(try #require(object["command"] as? [String: Any]), path: [])
        return commands
    }

    /// A plausible value for a required positional argument, by its value name.
    static func filler(for valueName: String) -> String {
        switch valueName {
        case "gun": return "example.com/placement/app"
        case "image", "images": return "example.com/placement/app:1.0"
        case "role": return "targets"
        case "name": return "1.0"
        case "key-id", "key-ids": return "0123456"
        default: return "placement-\(valueName)"
        }
    }

    /// The result with what legitimately differs between two runs replaced: the trust dir's path,
    /// hex key IDs (random keys), RFC 3339 instants (a second apart).
    static func normalized(_ result: CLI.Result, trustDir: String) -> String {
        var text = "exit \(result.status)\nstdout: \(result.stdout)\nstderr: \(result.stderr)"
        text = text.replacingOccurrences(of: trustDir, with: "<DIR>")
        text = text.replacingOccurrences(of: #"\b[0-9a-f]{7,64}\b"#, with: "<HEX>", options: .regularExpression)
        text = text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT[0-9:.]+Z"#, with: "<TIME>", options: .regularExpression)
        return text
    }

    /// Runs `signet` with a kill timer, so that a command that waits for something cannot hang the suite.
    static func run(_ arguments: [String]) throws -> CLI.Result {
        try CLI.run("/usr/bin/timeout", ["60", CLI.signet] + arguments,
                    environment: CLI.passphrases.merging(["HOME": NSTemporaryDirectory()]) { $1 })
    }

    @Test func everyCommandTakesTheGlobalOptionsBeforeOrAfterIt() throws {
        let commands = try Self.commandTree()
        // The tree is read, not listed by hand: it has the commands this test was written with.
        for expected in [["verify"], ["publish"], ["key", "generate"], ["delegation", "add"], ["root", "show"], ["serve"]] {
            #expect(commands.contains { $0.path == expected }, "\(expected) missing from the command tree: \(commands)")
        }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // Nothing listens on this port: a command that uses the server fails naming it (exit 3),
        // which shows the option reached it.
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        for json in [false, true] {
            for command in commands {
                var outputs: [String] = []
                for (index, placement) in ["before", "after"].enumerated() {
                    let trustDir = work.appendingPathComponent("\(command.path.joined(separator: "-"))-\(json)-\(index)").path
                    let global = ["-s", closed, "-d", trustDir, "--timeout", "5"] + (json ? ["--json"] : [])
                    let arguments = placement == "before" ? global + command.path + command.required : command.path + command.required + global
                    let result = try Self.run(arguments)
                    #expect(result.status != 124, "signet \(arguments.joined(separator: " ")) did not finish in 60 s")
                    // A parse error would mean the options were not taken where they stood.
                    #expect(!result.stderr.contains("Unknown option"), "signet \(arguments.joined(separator: " ")): \(result.stderr)")
                    outputs.append(Self.normalized(result, trustDir: trustDir))
                }
                #expect(outputs[0] == outputs[1], "signet \(command) \(json ? "--json " : ""): options before and after differ:\n--- before\n\(outputs[0])\n--- after\n\(outputs[1])")
            }
        }
    }

    @Test func theOptionsTakeEffectWhereNotaryUsersTypeThem() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        let trustDir = work.appendingPathComponent("trust").path
        // -s before the subcommand is the server used.
        let list = try Self.run(["-s", closed, "-d", trustDir, "--timeout", "5", "list", "example.com/placement/app"])
        #expect(list.status == 3, "\(list.stderr)")
        #expect(list.stderr.contains("cannot reach the trust server at \(closed)"), "\(list.stderr)")
        // -d before the subcommand is the trust dir used; --json before it is the output.
        let generated = try Self.run(["-d", trustDir, "--json", "key", "generate"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let keyID = try #require((try JSONSerialization.jsonObject(with: Data(generated.stdout.utf8)) as? [String: Any])?["keyID"] as? String)
        let listed = try Self.run(["--json", "-d", trustDir, "key", "list"])
        #expect(listed.stdout.contains(keyID), "\(listed.stdout)")
        #expect((try? JSONSerialization.jsonObject(with: Data(listed.stdout.utf8))) is [Any], "\(listed.stdout)")
        // Mixed: some before, some after.
        let mixed = try Self.run(["-d", trustDir, "key", "list", "--json"])
        #expect(mixed.stdout == listed.stdout)
    }

    @Test func serveRefusesClientOptionsInsteadOfIgnoringThem() throws {
        for arguments in [["-s", "http://127.0.0.1:1", "serve"], ["serve", "-d", "/tmp/x"], ["-v", "serve"]] {
            let result = try Self.run(arguments + ["--listen", "127.0.0.1:0", "--storage", NSTemporaryDirectory() + "/placement-\(UUID().uuidString)"])
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("serve takes no client option"), "\(arguments): \(result.stderr)")
        }
    }

    /// `signet tuf …` reads its trusted metadata from `--metadata-dir` and the repository from
    /// `--metadata-url`: `-d` and `-s`, before or after the subcommand, are refused (exit 2, and
    /// with `--json` one document) instead of ignored, and nothing is written to the metadata dir.
    @Test func tufRefusesTrustDirAndServerInsteadOfIgnoringThem() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let metadata = work.appendingPathComponent("metadata").path
        let root = TUFCommandTests.sigstore.appendingPathComponent("initial_root.json").path
        let closed = "http://127.0.0.1:\(try FreePort.pick())"
        let cases: [([String], String)] = [
            (["-d", work.appendingPathComponent("trust").path, "tuf", "init", root, "--metadata-dir", metadata], "tuf init takes no --trust-dir"),
            (["tuf", "init", root, "--metadata-dir", metadata, "-s", closed], "tuf init takes no --server"),
            (["tuf", "refresh", "--metadata-dir", metadata, "--metadata-url", closed, "-s", closed, "-d", metadata], "tuf refresh takes no --trust-dir, --server"),
            (["-s", closed, "tuf", "download", "t", "--metadata-dir", metadata, "--metadata-url", closed, "--target-base-url", closed,
              "--target-dir", work.path], "tuf download takes no --server"),
            (["tuf", "verify", "t", "--metadata-dir", metadata, "--server", closed], "tuf verify takes no --server"),
        ]
        for (arguments, reason) in cases {
            let result = try Self.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("signet: \(reason) (given)"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            let json = try Self.run(arguments + ["--json"])
            #expect(json.status == 2, "\(arguments): \(json.stderr)")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
            #expect(document["exitCode"] as? Int == 2 && (document["error"] as? String)?.hasPrefix(reason) == true, "\(document)")
        }
        #expect(!FileManager.default.fileExists(atPath: metadata), "a refused tuf init wrote nothing")
        // The options that do apply (TLS, --timeout, --verbose) are still taken.
        let taken = try Self.run(["--timeout", "5", "-v", "tuf", "init", root, "--metadata-dir", metadata])
        #expect(taken.status == 0, "\(taken.stderr)")
    }
}
