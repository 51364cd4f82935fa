import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet expiry GUN… [--within 30d]`: exit 1 when a role of a named collection expires within
/// the window (issue 17; cron and CI friendly).
struct ExpiryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expiry",
        abstract: "Check that no role of each GUN expires within a window (exit 1 naming the role, its date and how to renew it).",
        discussion: """
        Each collection is judged after a full verified update (online, or offline with --metadata-dir \
        for one GUN). A role that has already expired fails the update and counts as expiring. Every \
        GUN is checked. The timestamp, which the server renews, counts only inside a quarter of its \
        14-day lifetime. The exit code is 1 when any role expires within the window (or a collection \
        does not verify), 3 when a server cannot be reached, else 0.

        Example:
          signet expiry registry.example.com/team/app registry.example.com/team/db --within 14d
        """
    )

    @Argument(help: "The collections' GUNs.")
    var guns: [String]

    @Option(name: .long, help: ArgumentHelp("The window: a whole number with s, m, h, d (days) or w (weeks), at most 100 years (default 30d).", valueName: "span"))
    var within = "30d"

    @OptionGroup var trust: TrustOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard !guns.isEmpty else { throw ValidationError("give at least one GUN") }
        guard DurationText.seconds(within) != nil else {
            throw ValidationError("--within \(within) is not a span such as 30d, 12h or 2w (at most 100 years)")
        }
        if trust.metadataDir != nil, guns.count > 1 { throw ValidationError("--metadata-dir holds one collection: give one GUN") }
    }

    func run() throws {
        for gun in guns { try GUN.validate(gun) }
        let window = DurationText.seconds(within) ?? 0
        let now = try trust.instant()
        var documents: [[String: Any]] = []
        var expiring = 0
        var worst: Int32 = ExitStatus.success
        for gun in guns {
            do {
                let collection = try trust.loadCollection(gun: gun, global: global, warnNearExpiry: false)
                let tree = RoleTree(collection, heldKeyIDs: RoleTreeOutput.heldKeyIDs(ClientContext(global: global)))
                let soon = tree.expiring(within: window, at: now)
                expiring += soon.count
                documents.append(["gun": gun, "roles": tree.roles.map { role in
                    var json = RoleTreeOutput.json(role, at: now)
                    json["expiring"] = soon.contains { ExactName.equal($0.name, role.name) }
                    json["renew"] = RoleTree.renewal(of: role, gun: gun)
                    return json
                }])
                if soon.isEmpty {
                    let next = tree.roles.min { $0.expires < $1.expires }
                    Output.line("\(gun): no role expires within \(Expiry.daysText(window))" +
                                (next.map { " (next: \($0.name) on \($0.expires.text), in \(Expiry.daysText($0.secondsLeft(at: now))))" } ?? ""))
                }
                for role in soon { Output.line("\(gun): \(RoleTreeOutput.expiryLine(role, gun: gun, at: now))") }
            } catch {
                let (code, message) = ExitStatus.classify(error)
                Output.error("\(gun): \(message)")
                documents.append(["gun": gun, "error": message, "exitCode": Int(code)])
                worst = max(worst, code)
            }
        }
        if expiring > 0 { worst = max(worst, ExitStatus.notTrusted) }
        if global.json {
            var document: [String: Any] = ["within": within, "withinSeconds": window, "at": now.text, "expiring": expiring, "collections": documents]
            if worst != ExitStatus.success {
                // The --json contract's failure fields, beside the report (JSONOutput).
                let failed = documents.filter { $0["error"] != nil }.count
                document["error"] = "\(expiring) role(s) expire within \(within)" + (failed > 0 ? "; \(failed) collection(s) could not be checked" : "")
                document["exitCode"] = Int(worst)
            }
            Output.json(document)
        }
        if worst != ExitStatus.success { throw ExitCode(worst) }
    }
}
