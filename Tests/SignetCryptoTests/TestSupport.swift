import Foundation
import SignetCrypto

/// Paths and helpers shared by the crypto tests. Fixture paths are relative to the package root.
enum TestSupport {
    /// The package root (two levels above this file's folder).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/fixtures` next to the package root.
    static let fixtures: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    static func makeTempDir(_ label: String = "signet-crypto") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct ProcessResult { var status: Int32; var stdout: String; var stderr: String }

    /// Runs `executable` (looked up on PATH via /usr/bin/env) with `arguments` and optional stdin.
    @discardableResult
    static func run(_ arguments: [String], stdin: [UInt8]? = nil, environment: [String: String] = [:], cwd: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let cwd { process.currentDirectoryURL = cwd }
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(Data(stdin)) }
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self))
    }

    static func write(_ bytes: [UInt8], to url: URL) throws { try Data(bytes).write(to: url) }
    static func write(_ text: String, to url: URL) throws { try Data(text.utf8).write(to: url) }
    static func read(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
}

/// Test-local ECDSA signature conversion (independent of the module's own encoder).
enum TestECDSA {
    static func derFromRaw(_ raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] >= 0x80 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let half = raw.count / 2
        let body = integer(raw[..<half]) + integer(raw[half...])
        return [0x30, UInt8(body.count)] + body
    }

    static func rawFromDER(_ der: [UInt8], size: Int = 32) -> [UInt8] {
        var index = 2  // P-256 signatures are < 128 bytes: short-form length
        var out: [UInt8] = []
        for _ in 0..<2 {
            let length = Int(der[index + 1])
            var value = Array(der[(index + 2)..<(index + 2 + length)].drop { $0 == 0 })
            value = [UInt8](repeating: 0, count: size - value.count) + value
            out += value
            index += 2 + length
        }
        return out
    }
}
