/// The range of a role's `version` and the one way to step it (TUF 1.0 §4.2: an integer ≥ 1,
/// incremented on every re-sign; reference §3.3).
///
/// Versions are bounded above so that `version + 1` can never overflow, on the client, on the
/// server, or on stored data: 2^31 − 1, the largest version Notary's own SQL stores can hold
/// (`tuf_files.version` is `int(11)` in MySQL, `integer` in PostgreSQL), so nothing Notary can
/// serve is refused. A role re-signed once a second would take 68 years to reach it.
public enum MetadataVersion {
    /// The highest version accepted anywhere: 2,147,483,647.
    public static let maximum: Int64 = 2_147_483_647

    /// Checks that `version` is within 1...`maximum`.
    /// - Parameters:
    ///   - version: the `version` field as parsed.
    ///   - role: the role name, for the message.
    /// - Throws: `TUFError(.malformed)` below 1; `TUFError(.tooLarge)` over `maximum`
    ///   ("targets has version 9223372036854775807, over the maximum 2147483647").
    public static func validate(_ version: Int64, role: String) throws {
        guard version >= 1 else {
            throw TUFError(.malformed, "\(role) has version \(version), expected 1 or more", role: role)
        }
        guard version <= maximum else {
            throw TUFError(.tooLarge, "\(role) has version \(version), over the maximum \(maximum)", role: role)
        }
    }

    /// The version after `version` (`version + 1`), for a role being re-signed.
    /// - Parameters:
    ///   - version: the current version; 0 for a role that was never signed.
    ///   - role: the role name, for the message.
    /// - Throws: `TUFError(.tooLarge)` when `version` is already at (or over) `maximum`, or
    ///   negative: the role cannot be re-signed with a valid version.
    public static func next(after version: Int64, role: String) throws -> Int64 {
        guard version >= 0, version < maximum else {
            throw TUFError(.tooLarge, "\(role) is at version \(version); it cannot be re-signed past the maximum version \(maximum)", role: role)
        }
        return version + 1
    }

    /// Rollback protection (TUF 1.0 §5.4.3, §5.5.5; Notary's cached versions): a role's new
    /// `version` must not be below the version the client trusted before.
    /// - Throws: `TUFError(.rollback)` ("snapshot version 1 is below the trusted version 2").
    public static func requireNotBelow(_ version: Int64, trusted: Int64, role: String) throws {
        guard version >= trusted else {
            throw TUFError(.rollback, "\(role) version \(version) is below the trusted version \(trusted)", role: role)
        }
    }
}
