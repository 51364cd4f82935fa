import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet remove GUN NAME`: stage a target removal from the roles that hold it.
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Stage the removal of target NAME from GUN, from every role that holds it.",
        discussion: """
        Without --role, NAME is removed from every role that holds it (targets, targets/releases, …), as the cached trust data shows with the staged changes applied (or the server's, fetched by a verified update, when nothing is cached); a key of each of those roles must be held here. With --role, only from the roles named, each of which must hold NAME. A NAME that no role holds is refused (exit 1) unless --force, which stages the removal anyway (into the --role roles, else add's default role). Publish checks again: a staged removal of a name its role does not hold is refused and stays staged, unless it was forced.

        Examples:
          signet remove registry.example.com/team/app 1.0
          signet remove registry.example.com/team/app 1.0 --role targets/releases
          signet remove registry.example.com/team/app old-tag --force
        """
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Argument(help: "The target name.") var name: String
    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Remove from this role only (repeatable); default: every role that holds NAME.", valueName: "role"))
    var role: [String] = []
    @Flag(name: .long, help: "Stage the removal even when no role (or not the --role role) holds NAME, or its trust data cannot be read.")
    var force = false
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for name in role { try RoleName.validate(name) }
        try Changelist.checkTargetNames([Change(action: .delete, role: RoleName.targets, type: .target, path: name, data: nil)])
        let context = ClientContext(global: global)
        let staged = try context.repository(gun).stagedCollection(now: Clock.tufNow(), fetch: true)
        let roles = try chooseRoles(staged, keys: context.keyStore)
        let data = force ? Change.forcedRemovalData : nil
        try context.changelist(gun).add(roles.map { Change(action: .delete, role: $0, type: .target, path: name, data: data) })
        Output.result(["gun": gun, "name": name, "roles": roles, "forced": force],
                      roles.map { "Removal of \"\(name)\" from role \"\($0)\" of repository \"\(gun)\" staged for next publish." }.joined(separator: "\n"))
    }

    /// The roles to stage the removal into.
    /// - Throws: `ClientError(.notTrusted)` when a `--role` role does not hold NAME, when no role
    ///   holds it, or when a role holding it cannot be signed here (all unless `--force`);
    ///   `ClientError(.unreachable)` when nothing is cached, the server cannot be reached and
    ///   neither `--role` nor `--force` says where to remove from.
    func chooseRoles(_ staged: StagedCollection, keys: KeyStore) throws -> [String] {
        let holders = staged.holders(of: name)
        let heldBy = RepositoryEditor.describeRoles(holders)
        guard staged.isKnown else {
            if let reason = staged.offlineReason, !force {
                throw ClientError(.unreachable, "\(reason); nothing is cached for \(gun), so which role holds \"\(name)\" is unknown; nothing staged (pass --force, with --role, to stage the removal anyway)")
            }
            guard force else {
                throw ClientError(.notTrusted, "no role of \(gun) holds \"\(name)\": there is no trust data for \(gun) here or on the server; nothing staged")
            }
            if let reason = staged.offlineReason { Output.warning("\(reason); staging the removal unchecked (--force)") }
            return role.isEmpty ? [staged.defaultRole(keys: keys)] : role
        }
        if !role.isEmpty {
            for scope in role where !force && !holders.contains(scope) {
                throw ClientError(.notTrusted, "\(scope) does not hold \"\(name)\" in \(gun) (held by \(heldBy)); nothing staged (pass --force to stage the removal anyway)")
            }
            return role
        }
        guard !holders.isEmpty else {
            guard force else {
                throw ClientError(.notTrusted, "no role of \(gun) holds \"\(name)\"; nothing staged (pass --force to stage the removal anyway)")
            }
            return [staged.defaultRole(keys: keys)]
        }
        let unsignable = holders.filter { !staged.canSign($0, keys: keys) }
        guard unsignable.isEmpty else {
            let others = holders.filter { !unsignable.contains($0) }
            let hint = others.isEmpty ? "" : " (--role \(others.joined(separator: " --role ")) removes it from the others only)"
            throw ClientError(.notTrusted, "\"\(name)\" is held by \(heldBy) in \(gun), but no key of \(RepositoryEditor.describeRoles(unsignable)) is held here; nothing staged\(hint)")
        }
        return holders
    }
}
