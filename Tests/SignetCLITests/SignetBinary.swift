import Foundation

/// Shortcuts for running the built `signet` binary with a clean environment (no passphrases, HOME
/// in a temporary directory) through `CLI.run`.
enum SignetBinary {
    static let repoRoot = CLI.packageRoot
    static let fixtures = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

    static func run(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws -> CLI.Result {
        try CLI.run(CLI.signet, arguments, environment: ["HOME": NSTemporaryDirectory()].merging(environment) { $1 }, stdin: stdin)
    }

    /// Copies a fixture directory into a fresh temporary directory; returns the copy.
    static func copyFixture(_ relative: String) throws -> URL {
        let target = try CLI.temporaryDirectory().appendingPathComponent("metadata")
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent(relative), to: target)
        return target
    }
}
