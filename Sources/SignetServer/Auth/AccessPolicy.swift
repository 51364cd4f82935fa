import FoundationEssentials
import SignetTUF

/// Who may do what on which GUNs: rules mapping identities (htpasswd user names, token subjects,
/// client-certificate subjects in RFC 2253 form) to actions on GUN patterns. See
/// `docs/access-control.md` for the format.
///
/// ```json
/// {"rules": [
///   {"identities": ["alice", "CN=ci.example.com,O=Example"],
///    "guns": ["registry.example.com/team/*"], "actions": ["pull", "push"]}
/// ]}
/// ```
///
/// Granted actions are the union over every matching rule. `"*"` as an identity matches any
/// authenticated identity; `*` in a GUN pattern matches any run of characters, `/` included.
package struct AccessPolicy: Sendable {
    package struct Rule: Sendable {
        package var identities: [String]
        package var guns: [String]
        package var actions: Set<AccessAction>

        package init(identities: [String], guns: [String], actions: Set<AccessAction>) {
            self.identities = identities
            self.guns = guns
            self.actions = actions
        }
    }

    package var rules: [Rule]

    package init(rules: [Rule]) { self.rules = rules }

    /// The policy without a policy file: every authenticated identity has `*` on every GUN.
    package static let allowAll = AccessPolicy(rules: [Rule(identities: ["*"], guns: ["*"], actions: [.all])])

    /// A policy problem, naming the file and the rule.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Reads a policy file (JSON, as above).
    /// - Throws: `Problem` for an unreadable file, non-JSON, or a rule with a missing or wrong field.
    package static func load(file path: String) throws -> AccessPolicy {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(description: "cannot read policy file \(path)") }
        return try decode([UInt8](data), source: path, notJSON: "policy file \(path) is not JSON")
    }

    /// Parses a policy from an already decoded JSON tree (`[String: Any]`, `[Any]`, `String`,
    /// numbers, `Bool`: what `JSONSerialization` returns), by way of its JSON text.
    /// - Throws: `Problem` naming `source` as `load(file:)` does.
    package static func parse(_ object: Any, source: String) throws -> AccessPolicy {
        guard let bytes = JSONObject.encode(object) else { throw Problem(description: "\(source): a policy is {\"rules\": [...]}") }
        return try decode(bytes, source: source, notJSON: "\(source): a policy is {\"rules\": [...]}")
    }

    static func decode(_ bytes: [UInt8], source: String, notJSON: String) throws -> AccessPolicy {
        do {
            guard let document = try ConfigDecoding.decode(PolicyDocument.self, from: bytes) else { throw Problem(description: notJSON) }
            return document.policy
        } catch let problem as ConfigProblem {
            throw Problem(description: "\(source): \(problem.text)")
        }
    }

    /// The actions `identity` holds on `gun`; identities and GUNs are matched as bytes (`ExactName`).
    package func actions(for identity: String, gun: String) -> Set<AccessAction> {
        var granted = Set<AccessAction>()
        for rule in rules where rule.identities.contains(where: { $0 == "*" || ExactName.equal($0, identity) }) {
            if rule.guns.contains(where: { Self.matches(pattern: $0, gun) }) { granted.formUnion(rule.actions) }
        }
        return granted
    }

    /// Glob match where `*` is any run of characters (including none and `/`); nothing else is special.
    static func matches(pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] != UInt8(ascii: "*"), p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
