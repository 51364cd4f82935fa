import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetSupport
import SignetTUF

/// `signet history GUN [TAG]`: every published version of targets and its delegations, and what
/// each changed (issue 17 §2).
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List every published version of GUN's targets and delegations: when, which tags changed, signed by which keys.",
        discussion: """
        After a full verified update, reads each version N of targets and of every delegation it ever \
        listed (the server's N.<role>.json route, which notary-server 0.7 has too). Each line is one \
        version: the server's time of it (Last-Modified), the role and version, the keys whose \
        signatures verify (short key IDs; "UNVERIFIED" when none of the keys the role was given \
        signed it), and the tags added (+), removed (-) or changed (~) and the delegations changed. \
        With TAG only the versions that changed that tag.

        Examples:
          signet history registry.example.com/team/app
          signet history registry.example.com/team/app 1.0 --json
        """
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Argument(help: "Only the versions that changed this target name (an image tag).") var tag: String?
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        let repository = try ClientContext(global: global).repository(gun)
        let now = Clock.tufNow()
        let collection = try repository.update(pin: nil, now: now)
        RoleTreeOutput.warnNearExpiry(RoleTree(collection, heldKeyIDs: []), at: now)
        let history = try CollectionHistory(collection) { role, version in
            try repository.server.fetchVersion(version, role: role, maxLength: MetadataLimits.maxFileBytes)
        }
        let entries = tag.map(history.entries(forTag:)) ?? history.entries
        if global.json {
            Output.json(["gun": gun, "versions": entries.map(Self.json)] as [String: Any])
            return
        }
        if entries.isEmpty {
            Output.line(tag.map { "No published version of \(gun) changed \($0)" } ?? "No published versions of \(gun)")
            return
        }
        for entry in entries {
            let when = entry.published.map { TUFTime(Date(timeIntervalSince1970: Double($0))).text } ?? "(time unknown)"
            let signers = entry.verified ? entry.signedBy.map { String($0.prefix(7)) }.joined(separator: ",") : "UNVERIFIED"
            var changes = entry.tags.map { change -> String in
                switch change.kind {
                case .added: return "+\(change.tag) \(change.after ?? "-")"
                case .removed: return "-\(change.tag) (was \(change.before ?? "-"))"
                case .changed: return "~\(change.tag) \(change.before ?? "-") -> \(change.after ?? "-")"
                }
            }
            changes += entry.delegations.map { change in
                "delegation \(change.role) \(change.kind.rawValue)" + (change.kind == .removed ? "" :
                    " (keys \(change.keyIDs.map { String($0.prefix(7)) }.joined(separator: ",")); paths \(change.paths.isEmpty ? "none" : change.paths.map { $0.isEmpty ? "\"\"" : $0 }.joined(separator: ",")))")
            }
            if changes.isEmpty { changes = ["(re-signed, no change)"] }
            Output.line("\(when)  \(entry.role) v\(entry.version)  signed by \(signers)  \(changes.joined(separator: "; "))")
        }
    }

    static func json(_ entry: CollectionHistory.Entry) -> [String: Any] {
        var out: [String: Any] = ["role": entry.role, "version": entry.version, "signedBy": entry.signedBy, "verified": entry.verified,
                                  "tags": entry.tags.map { change -> [String: Any] in
                                      var json: [String: Any] = ["tag": change.tag, "change": change.kind.rawValue]
                                      if let before = change.before { json["before"] = before }
                                      if let after = change.after { json["after"] = after }
                                      if let size = change.size { json["size"] = size }
                                      return json
                                  },
                                  "delegations": entry.delegations.map { ["role": $0.role, "change": $0.kind.rawValue, "keys": $0.keyIDs, "paths": $0.paths] as [String: Any] }]
        if let published = entry.published {
            out["published"] = TUFTime(Date(timeIntervalSince1970: Double(published))).text
        }
        return out
    }
}
