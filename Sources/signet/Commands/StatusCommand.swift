import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet status GUN`: the staged changes.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the staged (unpublished) changes of GUN.",
        discussion: "Example:\n  signet status registry.example.com/team/app"
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        let entries = try ClientContext(global: global).changelist(gun).entries()
        if global.json {
            Output.json(entries.enumerated().map { ["index": $0.offset, "action": $0.element.change.action.rawValue,
                                                    "scope": $0.element.change.role, "type": $0.element.change.type.rawValue,
                                                    "path": $0.element.change.path] as [String: Any] })
            return
        }
        guard !entries.isEmpty else {
            Output.line("No unpublished changes for \(gun)")
            return
        }
        Output.line("Unpublished changes for \(gun):\n")
        let rows = [["#", "ACTION", "SCOPE", "TYPE", "PATH"]] + entries.enumerated().map {
            [String($0.offset), $0.element.change.action.rawValue, $0.element.change.role, $0.element.change.type.rawValue, $0.element.change.path]
        }
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Output.line(row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }
                .joined(separator: "   ").trimmingWhitespace())
        }
    }
}

/// `signet reset GUN`: drop staged changes.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Drop all (default) or the numbered staged changes of GUN.",
        discussion: "Example:\n  signet reset registry.example.com/team/app -n 0,2"
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Flag(name: .long, help: "Drop every staged change (the default).") var all = false
    @Option(name: [.customShort("n"), .long], help: ArgumentHelp("Comma-separated change numbers from status to drop.", valueName: "numbers"))
    var number: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        let list = try ClientContext(global: global).changelist(gun)
        let entries = try list.entries()
        if let number {
            var selected: [Changelist.Entry] = []
            for part in number.split(separator: ",") {
                guard let index = Int(part.trimmingWhitespace()), entries.indices.contains(index) else {
                    throw ClientError(.usage, "no staged change number \(part) (there are \(entries.count))")
                }
                selected.append(entries[index])
            }
            try list.remove(selected)
        } else {
            try list.remove(entries)
        }
        Output.result(["gun": gun, "remaining": try list.entries().count], "Successfully reset specified changes for repository \(gun)")
    }
}
