import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet publish GUN`: sign what changed and upload it.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Update GUN from the server, apply the staged changes, sign the changed roles and upload them.",
        discussion: "The staged changes are kept when the upload fails.\n\nExample:\n  signet publish registry.example.com/team/app"
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @OptionGroup var progressOption: ProgressOption
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        var repository = try ClientContext(global: global).repository(gun)
        if !global.json { Output.line("Pushing changes to \(gun)") }
        let line = ProgressLine("applying staged changes", total: nil, unit: .items, quiet: progressOption.quiet)
        defer { line.finish() }
        repository.progress = { done, total in line.update(Int64(done), total: Int64(total)) }
        let uploaded = try repository.publish(now: Clock.tufNow())
        if global.json {
            Output.json(["gun": gun, "uploaded": uploaded])
        } else if uploaded.isEmpty {
            Output.line("No unpublished changes for \(gun)")
        } else {
            Output.line("Successfully published changes for repository \(gun)")
        }
    }
}

/// `signet witness GUN ROLE…`: stage a re-sign of roles.
struct WitnessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Stage a re-sign of ROLE for the next publish: a delegation invalidated by a key removal, or root to renew it.",
        discussion: """
        A delegation whose keys were swapped keeps its targets only if they are re-signed: witness re-signs \
        them with the role's current keys. `witness GUN root` renews root (version + 1, 10 more years), also \
        once it has expired; a root certificate that would expire first is replaced by a new self-signed \
        certificate for the same key.

        Examples:
          signet witness registry.example.com/team/app targets/releases
          signet witness registry.example.com/team/app root && signet publish registry.example.com/team/app
        """
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Argument(help: "Roles to re-sign.") var roles: [String]
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for role in roles {
            try RoleName.validate(role)
            guard role == RoleName.root || role == RoleName.targets || RoleName.isDelegation(role) else {
                throw ClientError(.usage, "\(role) cannot be witnessed: give root, targets or a delegation (targets/<name>)")
            }
        }
        try ClientContext(global: global).changelist(gun).add(roles.map { Change(action: .create, role: $0, type: .witness, path: "", data: nil) })
        if global.json { Output.json(["gun": gun, "roles": roles]) }
        for role in roles { Output.line("Staged witness of \(role) in \(gun) for next publish.") }
    }
}

/// `signet delete GUN [--remote]`.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete GUN's local trust data (keys are kept); with --remote also on the server.",
        discussion: "Example:\n  signet delete registry.example.com/team/app --remote"
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Flag(name: .long, help: "Also delete the collection on the trust server.") var remote = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        try ClientContext(global: global).repository(gun).delete(remote: remote)
        Output.result(["gun": gun, "remote": remote], "Successfully deleted local\(remote ? " and remote" : "") trust data for repository \(gun)")
    }
}
