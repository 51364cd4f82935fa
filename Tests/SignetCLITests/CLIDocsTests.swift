import Foundation
import Testing

/// docs/cli.md must show exactly what `signet help` prints, for every command
/// (regenerate with `scripts/gen-cli-docs` after changing an option).
@Suite struct CLIDocsTests {
    @Test func everyCommandsHelpIsInDocs() throws {
        let docs = try String(contentsOf: SignetBinary.repoRoot.appendingPathComponent("docs/cli.md"), encoding: .utf8)
        var pending: [[String]] = [[]]
        var visited = 0
        while let path = pending.popLast() {
            let help = try SignetBinary.run(["help"] + path)
            let text = help.stdout.trimmingCharacters(in: .newlines)
            #expect(!text.isEmpty, "signet help \(path.joined(separator: " ")) printed nothing")
            #expect(docs.contains("## `\((["signet"] + path).joined(separator: " "))`"), "docs/cli.md has no section for \(path); run scripts/gen-cli-docs")
            #expect(docs.contains(text), "docs/cli.md is out of date for `signet \(path.joined(separator: " "))`; run scripts/gen-cli-docs")
            visited += 1
            if path.count < 3 { pending += Self.subcommands(in: text).map { path + [$0] } }
        }
        #expect(visited > 10)
    }

    static func subcommands(in help: String) -> [String] {
        guard let range = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        var names: [String] = []
        for line in help[range.upperBound...].split(separator: "\n", omittingEmptySubsequences: false) {
            if line.isEmpty { break }
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { continue }
            let name = line.dropFirst(2).prefix { $0 != " " }
            if !name.isEmpty, name != "help" { names.append(String(name)) }
        }
        return names
    }
}
