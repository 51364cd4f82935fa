import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet list GUN`: the trusted targets of a collection.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the trusted targets of GUN (NAME, DIGEST, SIZE, ROLE), after a full verified update.",
        discussion: "Example:\n  signet list registry.example.com/team/app --role targets/releases"
    )

    @Argument(help: "The collection's GUN, e.g. registry.example.com/team/app.")
    var gun: String

    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Only list targets from this role (repeatable; earlier roles take priority).", valueName: "role"))
    var role: [String] = []

    @OptionGroup var trust: TrustOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for name in role { try RoleName.validate(name) }
        let collection = try trust.loadCollection(gun: gun, global: global)
        let matches = collection.list(roles: role.isEmpty ? nil : role)
        if global.json {
            Output.json(matches.map(TargetOutput.json))
            return
        }
        if matches.isEmpty {
            Output.line("No targets present in this repository.")
            return
        }
        TargetOutput.table(matches)
    }
}

/// `signet lookup GUN NAME`: one trusted target.
struct LookupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup",
        abstract: "Print NAME sha256:HEX SIZE for one trusted target of GUN, after a full verified update.",
        discussion: "Example:\n  signet lookup registry.example.com/team/app 1.0"
    )

    @Argument(help: "The collection's GUN.")
    var gun: String

    @Argument(help: "The target name (an image tag).")
    var name: String

    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Only look in this role (repeatable).", valueName: "role"))
    var role: [String] = []

    @OptionGroup var trust: TrustOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for name in role { try RoleName.validate(name) }
        let collection = try trust.loadCollection(gun: gun, global: global)
        guard let match = collection.lookup(name, roles: role.isEmpty ? nil : role) else {
            throw ClientError(.notTrusted, "\(gun) has no trusted target \"\(name)\"")
        }
        if global.json {
            Output.json(TargetOutput.json(match))
        } else {
            Output.line("\(match.name) \(TargetOutput.digest(match)) \(match.meta.length)")
        }
    }
}

enum TargetOutput {
    static func digest(_ match: VerifiedCollection.Match) -> String {
        match.meta.hashes["sha256"].map { "sha256:\(Hex.encode($0))" } ?? "-"
    }

    static func json(_ match: VerifiedCollection.Match) -> [String: Any] {
        ["name": match.name, "digest": digest(match), "length": match.meta.length, "role": match.role]
    }

    static func table(_ matches: [VerifiedCollection.Match]) {
        let rows = [["NAME", "DIGEST", "SIZE (BYTES)", "ROLE"]] + matches.map { [$0.name, digest($0), String($0.meta.length), $0.role] }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Output.line(row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }.joined(separator: "   ").trimmingWhitespace())
        }
    }
}
