import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet remove GUN NAME`: stage a target removal.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stage the removal of target NAME from GUN.",
        discussion: "Example:\n  signet remove registry.example.com/team/app 1.0 --role targets/releases"
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Argument(help: "The target name.") var name: String
    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Remove from this role (repeatable); default as for add.", valueName: "role"))
    var role: [String] = []
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for name in role { try RoleName.validate(name) }
        let context = ClientContext(global: global)
        let roles = role.isEmpty ? [try DefaultRole.forAdd(gun: gun, context: context)] : role
        try context.changelist(gun).add(roles.map { Change(action: .delete, role: $0, type: .target, path: name, data: nil) })
        Output.result(["gun": gun, "name": name, "roles": roles], "Removal of \(name) from \(gun) staged for next publish.")
    }
}
