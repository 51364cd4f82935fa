import FoundationEssentials
import Glibc
import SignetCrypto
import SignetSupport
import SignetTUF

/// Where key passphrases come from (DESIGN.md, reference §1.5): `SIGNET_<ALIAS>_PASSPHRASE`, then
/// `NOTARY_<ALIAS>_PASSPHRASE`, where the alias is `root`, `targets`, `snapshot`, or `delegation`
/// for every other role; then Docker Content Trust's `DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE` (root)
/// or `DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE` (every other key, as the docker CLI uses it);
/// else a no-echo prompt when standard input is a terminal; otherwise an
/// immediate `ClientError(.key)` naming the key, role and variable. Passphrases never appear in
/// messages.
package struct PassphraseSource: Sendable {
    package var environment: [String: String]
    /// Whether prompting is allowed (standard input is a terminal).
    package var interactive: Bool
    /// Reads one line without echo after showing the prompt text; nil at end of input. Nil here
    /// means the terminal (`getpass`). Tests set it to drive the prompt without a terminal.
    package var reader: (@Sendable (String) -> String?)?

    package init(environment: [String: String] = ProcessInfo.processInfo.environment, interactive: Bool = isatty(0) == 1) {
        self.environment = environment
        self.interactive = interactive
    }

    /// The alias for a role: the base role name, or `delegation` for anything else.
    package static func alias(for role: String) -> String {
        [RoleName.root, RoleName.targets, RoleName.snapshot].contains(role) ? role : "delegation"
    }

    /// The variable that sets the passphrase for `role`.
    package static func variable(for role: String) -> String { "SIGNET_\(alias(for: role).uppercased())_PASSPHRASE" }

    /// A passphrase from the environment, and which variable gave it.
    package func fromEnvironment(role: String) -> (value: String, variable: String)? {
        let alias = Self.alias(for: role).uppercased()
        let docker = role == RoleName.root ? "DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE" : "DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"
        for variable in ["SIGNET_\(alias)_PASSPHRASE", "NOTARY_\(alias)_PASSPHRASE", docker] {
            if let value = environment[variable], !value.isEmpty { return (value, variable) }
        }
        return nil
    }

    /// Prompts without echo. Nil when not interactive.
    package func prompt(_ text: String) -> String? {
        guard interactive else { return nil }
        if let reader { return reader(text) }
        guard let raw = getpass(text) else { return nil }
        return String(cString: raw)
    }

    /// The passphrase to protect a new `role` key `keyID`, from the environment or the prompt,
    /// either way held to `NewPassphraseRule` (at least 8 characters).
    /// - Throws: `ClientError(.usage)` when the variable's passphrase, or the last of three
    ///   prompted ones, breaks the rule (the message says the minimum, never the passphrase);
    ///   `ClientError(.key)` when there is no variable and no terminal, or the prompt reaches end
    ///   of input or three entries do not match.
    package func newPassphrase(role: String, keyID: String) throws -> String {
        let short = String(keyID.prefix(7))
        if let (value, variable) = fromEnvironment(role: role) {
            if let problem = NewPassphraseRule.problem(value) {
                throw ClientError(.usage, "the passphrase in \(variable) may not protect the new \(role) key \(short): \(problem)")
            }
            return value
        }
        guard interactive else {
            throw ClientError(.key, "no passphrase for the new \(role) key \(short): set \(Self.variable(for: role)) (or run on a terminal)")
        }
        var lastProblem: String?
        for _ in 0..<3 {
            guard let first = prompt("Enter passphrase for new \(role) key with ID \(short): "),
                  let second = prompt("Repeat passphrase for new \(role) key with ID \(short): ") else { break }
            guard first == second else {
                lastProblem = nil
                SystemFile.writeStandardError("Passphrases do not match.\n")
                continue
            }
            if let problem = NewPassphraseRule.problem(first) {
                lastProblem = problem
                SystemFile.writeStandardError("Passphrase is too short (\(NewPassphraseRule.minimumCharacters) characters minimum).\n")
                continue
            }
            return first
        }
        if let lastProblem {
            throw ClientError(.usage, "the passphrase entered may not protect the new \(role) key \(short): \(lastProblem)")
        }
        throw ClientError(.key, "no passphrase given for the new \(role) key \(short)")
    }
}
