import Foundation
import Testing

/// Paths of the repository, the built `signet` binary and the shared fixtures.
enum Paths {
    /// The package root, from this file's path (`Tests/SignetServerTests/Support/…`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `.build/debug/signet`, built by `swift build` before the tests run.
    static func signetBinary() throws -> String {
        let candidates = [
            packageRoot.appendingPathComponent(".build/debug/signet").path,
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("signet").path,
        ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw TestFailure("the signet binary is missing (looked at \(candidates.joined(separator: ", "))); run the tests with scripts/test (it builds first), or `swift build --build-tests` before `swift test --skip-build`")
    }

    /// `/work/shared/fixtures/notary-0.7` (next to the worktrees), or `$SIGNET_FIXTURES`.
    static let fixtures: URL = {
        if let override = ProcessInfo.processInfo.environment["SIGNET_FIXTURES"] { return URL(fileURLWithPath: override) }
        let sibling = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/notary-0.7")
        if FileManager.default.fileExists(atPath: sibling.path) { return sibling }
        return URL(fileURLWithPath: "/work/shared/fixtures/notary-0.7")
    }()
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A fresh temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String
    init(_ label: String = "signet-server-test") throws {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A running `signet serve` process on 127.0.0.1 with an ephemeral port.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let storage: String
    let logPath: String
    private(set) var port = 0
    var baseURL: String { "\(scheme)://127.0.0.1:\(port)" }
    let scheme: String

    /// Starts the server and waits for its "serving on" line (at most 30 s).
    init(storage: String, extraArguments: [String] = [], environment: [String: String] = [:], tls: Bool = false) throws {
        self.storage = storage
        self.scheme = tls ? "https" : "http"
        logPath = storage + ".log"
        process.executableURL = URL(fileURLWithPath: try Paths.signetBinary())
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--storage", storage] + extraArguments
        var env = ProcessInfo.processInfo.environment
        env["SIGNET_SERVER_KEY_PASSPHRASE"] = env["SIGNET_SERVER_KEY_PASSPHRASE"] ?? "test-server-passphrase"
        for (name, value) in environment { env[name] = value }
        process.environment = env
        let output = Pipe()
        process.standardOutput = output
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        var text = ""
        while Date() < deadline, process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { Thread.sleep(forTimeInterval: 0.02); continue }
            text += String(decoding: data, as: UTF8.self)
            if let range = text.range(of: "serving on \(scheme)://127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let value = Int(digits), text[range.upperBound...].dropFirst(digits.count).hasPrefix(" ") {
                    port = value
                    return
                }
            }
        }
        process.terminate()
        throw TestFailure("signet serve did not start: stdout \(text); log \(log)")
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGTERM, then wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func kill() {
        if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Result of running a command.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` with `arguments`, optional stdin bytes, extra environment; output via files
/// so that large outputs cannot deadlock a pipe.
func runCommand(_ executable: String, _ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                directory: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (name, value) in environment { env[name] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let scratch = try TemporaryDirectory("signet-cmd")
    defer { scratch.remove() }
    let outPath = scratch.path + "/out", errPath = scratch.path + "/err", inPath = scratch.path + "/in"
    _ = FileManager.default.createFile(atPath: outPath, contents: nil)
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    _ = FileManager.default.createFile(atPath: inPath, contents: stdin ?? Data())
    process.standardOutput = FileHandle(forWritingAtPath: outPath)
    process.standardError = FileHandle(forWritingAtPath: errPath)
    process.standardInput = FileHandle(forReadingAtPath: inPath)
    try process.run()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
