import Foundation

/// The real notary 0.7 client (`/usr/bin/notary`) pointed at a Signet server.
struct NotaryCLI {
    static let binary = "/usr/bin/notary"
    static let environment = [
        "NOTARY_ROOT_PASSPHRASE": "root-passphrase-123",
        "NOTARY_TARGETS_PASSPHRASE": "targets-passphrase-123",
        "NOTARY_SNAPSHOT_PASSPHRASE": "snapshot-passphrase-123",
        "NOTARY_DELEGATION_PASSPHRASE": "delegation-passphrase-123",
    ]

    var server: String
    var trustDir: String
    var caFile: String?

    /// Starts `notary ARGUMENTS` in the background (output discarded), for a test that kills the
    /// server in the middle of it; the caller waits for it.
    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["-s", server, "-d", trustDir] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(Self.environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func run(_ arguments: [String], stdin: Data? = nil) throws -> CommandResult {
        var full = ["-s", server, "-d", trustDir]
        if let caFile { full += ["--tlscacert", caFile] }
        // Relative fixture paths (`fixtures/notary-0.7/inputs/hello.txt`) resolve from shared/.
        return try runCommand(Self.binary, full + arguments, stdin: stdin, environment: Self.environment,
                              directory: Paths.fixtures.deletingLastPathComponent().deletingLastPathComponent().path)
    }
}

/// One transcript in `fixtures/notary-0.7/cli/`: the command, its stdin, exit code and stdout.
struct CLITranscript {
    var name: String
    /// `nt`, `nt_consumer` or `ntp`.
    var client: String
    var arguments: [String]
    var stdinPath: String?
    var status: Int32
    var stdout: String

    static func load(_ name: String) throws -> CLITranscript {
        let text = try String(contentsOf: Paths.fixtures.appendingPathComponent("cli/\(name).txt"), encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        guard let command = lines.first(where: { $0.hasPrefix("$ ") }) else { throw TestFailure("\(name): no command") }
        let words = command.dropFirst(2).split(separator: " ").map(String.init)
        let stdinPath = lines.first(where: { $0.hasPrefix("# stdin: ") }).map { String($0.dropFirst("# stdin: ".count)) }
        let status = lines.first(where: { $0.hasPrefix("--- rc=") }).flatMap { Int32($0.dropFirst("--- rc=".count)) } ?? -1
        var stdout = ""
        if let start = lines.firstIndex(of: "--- stdout"), let end = lines.firstIndex(of: "--- stderr") {
            stdout = lines[(start + 1)..<end].joined(separator: "\n")
        }
        return CLITranscript(name: name, client: words[0], arguments: Array(words.dropFirst()), stdinPath: stdinPath, status: status, stdout: stdout)
    }

    var stdinData: Data? {
        guard let stdinPath else { return nil }
        if stdinPath == "<work>/yes" { return Data("yes\n".utf8) }
        return FileManager.default.contents(atPath: Paths.fixtures.appendingPathComponent(stdinPath).path)
    }
}
