import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §5: on a fresh Debian machine `scripts/test` installs (or names) every package a
/// test runs, its list matches README.md and .ci/run, and a missing tool names its package.
@Suite struct FreshMachineTests {
    static let root = CLI.packageRoot

    static func packageList() throws -> [String] {
        let script = try String(contentsOf: root.appendingPathComponent("scripts/test"), encoding: .utf8)
        let line = try #require(script.split(separator: "\n").first { $0.hasPrefix("packages=(") })
        return line.dropFirst("packages=(".count).prefix { $0 != ")" }.split(separator: " ").map(String.init)
    }

    @Test func scriptsTestListsEveryPackageATestRuns() throws {
        let packages = try Self.packageList()
        for (tool, package) in RequiredTool.packages {
            #expect(packages.contains(package), "\(tool) comes from \(package), which scripts/test does not install")
        }
        let check = try CLI.run("/bin/bash", [Self.root.appendingPathComponent("scripts/test").path, "--check-packages"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("covers every tool under Tests/"), "\(check.stdout) \(check.stderr)")
    }

    @Test func readmeAndCINameTheSamePackages() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let ci = try String(contentsOf: Self.root.appendingPathComponent(".ci/run"), encoding: .utf8)
        let install = try #require(ci.split(separator: "\n").first { $0.contains("apt-get install") })
        for package in try Self.packageList() {
            #expect(readme.contains(package), "README.md does not name \(package)")
            #expect(install.split(separator: " ").contains(Substring(package)), ".ci/run does not install \(package)")
        }
    }

    /// The check cannot drift: a list without the package of a tool a test names is refused,
    /// naming the package.
    @Test func theCheckRefusesAListThatMissesATool() throws {
        let copy = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("scripts"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: copy.appendingPathComponent("Tests"), withIntermediateDirectories: true)
        var script = try String(contentsOf: Self.root.appendingPathComponent("scripts/test"), encoding: .utf8)
        script = script.replacingOccurrences(of: " apache2-utils", with: "")
        try script.write(to: copy.appendingPathComponent("scripts/test"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(at: Self.root.appendingPathComponent("README.md"), to: copy.appendingPathComponent("README.md"))
        try #"let tool = "/usr/bin/htpasswd""#.write(to: copy.appendingPathComponent("Tests/T.swift"), atomically: true, encoding: .utf8)
        let check = try CLI.run("/bin/bash", [copy.appendingPathComponent("scripts/test").path, "--check-packages"])
        #expect(check.status == 2)
        #expect(check.stderr.contains("/usr/bin/htpasswd") && check.stderr.contains("apache2-utils"), "\(check.stderr)")
    }

    @Test func aMissingToolNamesWhatToDo() {
        #expect(CLI.missingExecutableMessage("/usr/bin/htpasswd").contains("apache2-utils"))
        #expect(CLI.missingExecutableMessage(CLI.signet).contains("scripts/test"))
        #expect(!CLI.missingExecutableMessage(CLI.signet).contains("run `swift build` first"))
    }
}
