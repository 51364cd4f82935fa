import Foundation
import Glibc
import SignetCrypto
import SignetTestSupport
import Testing

/// Drives the built `signet` binary and real Notary 0.7 processes.
enum CLI {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let signet = packageRoot.appendingPathComponent(".build/debug/signet").path

    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static let passphrases = [
        "SIGNET_ROOT_PASSPHRASE": "test-root-passphrase", "SIGNET_TARGETS_PASSPHRASE": "test-targets-passphrase",
        "SIGNET_SNAPSHOT_PASSPHRASE": "test-snapshot-passphrase", "SIGNET_DELEGATION_PASSPHRASE": "test-delegation-passphrase",
    ]

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> Result {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestFailure(missingExecutableMessage(executable))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_PASSPHRASE") }
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes at once so a child filling one of them cannot block.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// What to do when `executable` is missing: build (the signet binary) or install its package.
    static func missingExecutableMessage(_ executable: String) -> String {
        if executable == signet {
            return "\(executable) is missing: run the tests with scripts/test (it builds first), or `swift build --build-tests` before `swift test --skip-build`"
        }
        return RequiredTool.missingMessage(executable)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("signet-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A real notary-server 0.7 with memory storage and a local signer (`SignetTestSupport`).
typealias NotaryServer = NotaryServerProcess

/// The two trust servers the client tests run against: a real notary-server 0.7 and `signet serve`.
enum TrustServerKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case notary, signet

    var testDescription: String { rawValue }

    /// Starts a fresh server of this kind (empty storage) on a free 127.0.0.1 port.
    func start() throws -> RunningTrustServer {
        switch self {
        case .notary:
            let server = try NotaryServer()
            return RunningTrustServer(url: server.url) { server.stop() }
        case .signet:
            let directory = try CLI.temporaryDirectory()
            let server = try SignetServe(directory: directory)
            return RunningTrustServer(url: server.url) {
                _ = server.stop()
                try? FileManager.default.removeItem(at: directory)
            }
        }
    }
}

/// A started trust server: its URL and how to stop it.
final class RunningTrustServer {
    let url: String
    private let stopAction: () -> Void
    private var stopped = false

    init(url: String, stop: @escaping () -> Void) {
        self.url = url
        self.stopAction = stop
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        stopAction()
    }
}

/// A snapshot of a directory tree: every regular file's relative path and SHA-256 (temporary
/// files of interrupted atomic writes — `.NAME.UUID.tmp` — included, so leftovers show up).
enum TreeChecksum {
    static func of(_ directory: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return result }
        let base = directory.resolvingSymlinksInPath().path
        for case let file as URL in walker {
            guard (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let path = file.resolvingSymlinksInPath().path
            let relative = path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
            result[relative] = Hex.encode(Digest.sha256([UInt8](try Data(contentsOf: file))))
        }
        return result
    }
}
