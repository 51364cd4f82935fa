/// Which target names a targets role may sign (TUF spec §4.5 "paths"; Notary
/// `data.DelegationRole.CheckPaths` and `Restrict`, reference §3.5).
///
/// - `targets` may sign every name.
/// - A delegation's `paths` are prefixes, not globs: a name counts when one of them is a prefix of
///   it, compared as UTF-8 bytes (Go's `strings.HasPrefix`), never by Unicode equivalence — so a
///   name spelled with decomposed characters is not inside a path spelled with precomposed ones.
///   `""` is every name; a role without `paths` may sign none.
/// - A nested delegation only keeps the paths that lie inside one of its parent's effective paths
///   (a child cannot widen what its parent may sign).
///
/// The verified update (which targets count), the repository editor (which staged targets may be
/// signed at publish) and `signet add` (refusing before staging) all ask this type.
public enum DelegationPaths {
    /// The effective paths of `targets`: every name.
    public static let everything = [""]

    /// True when one of `paths` is a byte prefix of `name`.
    public static func allows(_ name: String, paths: [String]) -> Bool {
        paths.contains { isPrefix($0, of: name) }
    }

    /// A delegation's `paths` restricted to its parent's effective paths: those that start with
    /// one of `parentPaths` (bytes). Nil `paths` (omitted on the wire) gives none.
    public static func restrict(_ paths: [String]?, to parentPaths: [String]) -> [String] {
        (paths ?? []).filter { path in parentPaths.contains { isPrefix($0, of: path) } }
    }

    /// The effective paths of `role` given the targets roles' content (role name → content),
    /// walking the delegation chain down from `targets`.
    /// - Returns: `everything` for `targets`; nil when `role` is not a delegation every ancestor
    ///   of which lists it (its parent's content missing, or the parent not delegating it).
    public static func effective(of role: String, in targets: [String: Targets]) -> [String]? {
        if role == RoleName.targets { return everything }
        guard let parent = RoleName.parent(of: role), let parentPaths = effective(of: parent, in: targets),
              let entry = targets[parent]?.delegations.roles.first(where: { $0.name == role }) else { return nil }
        return restrict(entry.paths, to: parentPaths)
    }

    /// `paths` for messages: `qa/, rc/`, `"" (all names)`, or `none`.
    public static func describe(_ paths: [String]?) -> String {
        guard let paths, !paths.isEmpty else { return "none" }
        return paths.map { $0.isEmpty ? "\"\" (all names)" : RoleName.printable($0) }.joined(separator: ", ")
    }

    private static func isPrefix(_ prefix: String, of name: String) -> Bool {
        ExactName.hasPrefix(name, prefix)
    }
}
