import FoundationEssentials
import SignetClient
import SignetTUF

/// How `status`, `expiry` and every read command show a collection's role tree and its expiry
/// (issue 17): the table, the JSON rows, and the near-expiry warnings on stderr.
enum RoleTreeOutput {
    /// A role as a JSON object: `role`, `version`, `expires` (RFC 3339), `secondsLeft`,
    /// `daysLeft` (whole days, rounded down), `threshold`, `keys` (canonical key IDs), `heldKeys`.
    static func json(_ role: RoleTree.Role, at now: TUFTime) -> [String: Any] {
        let left = role.secondsLeft(at: now)
        return ["role": role.name, "version": role.version, "expires": role.expires.text, "secondsLeft": left,
                "daysLeft": left / 86400, "threshold": role.threshold, "keys": role.keyIDs, "heldKeys": role.heldKeyIDs]
    }

    /// The tree as a table: ROLE (delegations indented), VERSION, EXPIRES, DAYS LEFT, KEYS (short
    /// IDs, `*` after those this trust dir holds).
    static func table(_ tree: RoleTree, at now: TUFTime) {
        let header = ["ROLE", "VERSION", "EXPIRES", "DAYS LEFT", "KEYS (* = held here)"]
        let rows = [header] + tree.roles.map { role in
            let keys = role.keyIDs.map { String($0.prefix(7)) + (role.heldKeyIDs.contains($0) ? "*" : "") }
            return [String(repeating: "  ", count: role.depth) + role.name, String(role.version), role.expires.text,
                    Expiry.daysText(role.secondsLeft(at: now)), keys.isEmpty ? "-" : keys.joined(separator: ",")]
        }
        let widths = (0..<header.count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            Output.line(row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }.joined(separator: "   ").trimmingWhitespace())
        }
    }

    /// One warning line on stderr per role inside its warning window (`RoleTree.nearExpiry`):
    /// never on stdout, never changing the exit code.
    static func warnNearExpiry(_ tree: RoleTree, at now: TUFTime) {
        for role in tree.nearExpiry(at: now) {
            Output.warning(expiryLine(role, gun: tree.gun, at: now))
        }
    }

    /// `targets of GUN (v3) expires 2026-12-04T10:00:00Z, in 3.0 days; renew: signet witness …`.
    static func expiryLine(_ role: RoleTree.Role, gun: String, at now: TUFTime) -> String {
        let left = role.secondsLeft(at: now)
        let when = left <= 0 ? "expired at \(role.expires.text)" : "expires \(role.expires.text), in \(Expiry.daysText(left))"
        return "\(role.name) of \(gun) (v\(role.version)) \(when); renew: \(RoleTree.renewal(of: role, gun: gun))"
    }

    /// The canonical key IDs of the private keys in the trust dir.
    static func heldKeyIDs(_ context: ClientContext) -> Set<String> {
        Set(context.keyStore.list().map(\.id))
    }
}
