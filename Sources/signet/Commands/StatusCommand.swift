import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet status GUN`: the staged changes, then the role tree after a verified update (issue 17).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the staged (unpublished) changes of GUN, then its role tree from the server.",
        discussion: """
        The role tree (root, targets, each delegation, snapshot, timestamp) comes from a full verified \
        update: version, expiry, days left, the keys that sign each role (short key IDs, * after \
        those this trust dir holds). Without --roles a tree that cannot be loaded (not published \
        yet, server unreachable) is a warning on stderr and the staged changes are still shown; \
        --json prints the staged changes as a list, --json --roles an object with staged and roles.

        Example:
          signet status registry.example.com/team/app --roles
        """
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Flag(name: .long, help: "The role tree is required: a failed verified update fails the command; with --json, print {staged, roles}.")
    var roles = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        let context = ClientContext(global: global)
        let entries = try context.changelist(gun).entries()
        let staged = entries.enumerated().map { ["index": $0.offset, "action": $0.element.change.action.rawValue,
                                                 "scope": $0.element.change.role, "type": $0.element.change.type.rawValue,
                                                 "path": $0.element.change.path] as [String: Any] }
        if global.json && !roles {
            Output.json(staged)
            return
        }
        let now = Clock.tufNow()
        var tree: RoleTree?
        do {
            let collection = try context.repository(gun).update(pin: nil, now: now)
            tree = RoleTree(collection, heldKeyIDs: RoleTreeOutput.heldKeyIDs(context))
        } catch let error where !roles {
            Output.warning("no role tree for \(gun): \(ExitStatus.classify(error).1)")
        }
        if global.json {
            Output.json(["gun": gun, "staged": staged, "roles": tree?.roles.map { RoleTreeOutput.json($0, at: now) } ?? []] as [String: Any])
            if let tree { RoleTreeOutput.warnNearExpiry(tree, at: now) }
            return
        }
        if entries.isEmpty {
            Output.line("No unpublished changes for \(gun)")
        } else {
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
        guard let tree else { return }
        Output.line("\nRoles of \(gun):\n")
        RoleTreeOutput.table(tree, at: now)
        RoleTreeOutput.warnNearExpiry(tree, at: now)
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
