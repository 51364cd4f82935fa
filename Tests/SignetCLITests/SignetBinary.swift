import Foundation
import Testing

/// Runs the built `signet` binary (`.build/debug/signet`; `swift build` must have run).
enum SignetBinary {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    static var path: String {
        for configuration in ["debug", "release"] {
            let candidate = repoRoot.appendingPathComponent(".build/\(configuration)/signet").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return repoRoot.appendingPathComponent(".build/debug/signet").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `signet ARGS` with `environment` added to a clean environment, `stdin` as input.
    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil, directory: URL? = nil) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw BinaryMissing(path: path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        env.merge(environment) { $1 }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        var path: String
        var description: String { "the signet binary is missing at \(path); run `swift build` first (scripts/test does)" }
    }

    /// A fresh temporary directory, removed by the caller.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Copies a fixture directory to a temporary one.
    static func copyFixture(_ relative: String) throws -> URL {
        let target = try temporaryDirectory().appendingPathComponent("metadata")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(relative), to: target)
        return target
    }
}
