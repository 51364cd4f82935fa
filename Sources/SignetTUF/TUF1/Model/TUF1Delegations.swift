import SignetCrypto

/// One delegation as the delegator lists it, or one bin of its succinct delegation: the role's
/// name, keys, threshold and whether the search stops with it (TUF 1.0 §4.5, TAP 15).
public struct TUF1Delegation: Sendable {
    public var name: String
    public var keys: TUF1RoleKeys
    public var terminating: Bool
}

/// The `delegations` of a TUF 1.0 targets role (TUF 1.0 §4.5): keys, and either an ordered list of
/// roles or, per TAP 15, succinct hash-bin roles.
public struct TUF1Delegations: Sendable {
    public var keys: [String: TUF1Key]
    /// In the order listed; the search visits them in this order.
    public var roles: [TUF1DelegatedRole]
    public var succinctRoles: TUF1SuccinctRoles?

    /// - Throws: `TUFError(.malformed)` when both or neither of `roles` and `succinct_roles` are
    ///   given, two roles share a name, or a role is named after a top-level role (its file would
    ///   be that role's); the entries' own errors; `.tooLarge` past `MetadataLimits.maxDelegations`.
    init(json value: JSONValue, role: String) throws {
        let fields = try JSONFields(value, context: "\(role) delegations", role: role)
        keys = try TUF1Keys.parse(try fields.object("keys"), context: "\(role) delegations", role: role)
        let list = fields.optional("roles")
        let succinct = fields.optional("succinct_roles")
        guard (list == nil) != (succinct == nil) else {
            throw TUFError(.malformed, "\(role) delegations must have exactly one of roles and succinct_roles", role: role)
        }
        var roles: [TUF1DelegatedRole] = []
        if list != nil {
            let entries = try fields.array("roles")
            guard entries.count <= MetadataLimits.maxDelegations else {
                throw TUFError(.tooLarge, "\(role) lists \(entries.count) delegations, over the limit of \(MetadataLimits.maxDelegations)", role: role)
            }
            var names = Set<ExactName.Key>()
            for entry in entries {
                let delegated = try TUF1DelegatedRole(json: entry, keys: keys, delegator: role)
                guard names.insert(ExactName.Key(delegated.name)).inserted else {
                    throw TUFError(.malformed, "\(role) delegates to \(RoleName.printable(delegated.name)) twice", role: role)
                }
                roles.append(delegated)
            }
        }
        self.roles = roles
        succinctRoles = try succinct.map { try TUF1SuccinctRoles(json: $0, keys: keys, delegator: role) }
    }

    /// The delegations whose paths cover `target`, in search order, cut after the first
    /// terminating one (TUF 1.0 §5.6.7.2.1); with succinct roles, the one bin `target` hashes to,
    /// terminating (TAP 15).
    public func roles(for target: String) -> [TUF1Delegation] {
        if let succinctRoles {
            return [TUF1Delegation(name: succinctRoles.role(for: target), keys: succinctRoles.keys, terminating: true)]
        }
        var found: [TUF1Delegation] = []
        for role in roles where role.isDelegated(target) {
            found.append(TUF1Delegation(name: role.name, keys: role.keys, terminating: role.terminating))
            if role.terminating { break }
        }
        return found
    }
}

/// A delegated role as its delegator lists it (TUF 1.0 §4.5 DELEGATIONS.roles).
public struct TUF1DelegatedRole: Sendable {
    public var name: String
    public var keys: TUF1RoleKeys
    public var terminating: Bool
    /// Glob patterns (`TUF1PathPattern`), or nil when `pathHashPrefixes` is given.
    public var paths: [String]?
    /// Hex prefixes of the SHA-256 of target paths, or nil when `paths` is given.
    public var pathHashPrefixes: [String]?

    /// Most path patterns or prefixes one delegation may list.
    public static let maxPaths = 4096

    init(json value: JSONValue, keys: [String: TUF1Key], delegator: String) throws {
        let fields = try JSONFields(value, context: "\(delegator) delegation", role: delegator)
        name = try fields.string("name")
        try Self.validate(name: name, delegator: delegator)
        let context = "\(delegator) delegation \(RoleName.printable(name))"
        self.keys = try TUF1RoleKeys(fields, keys: keys, context: context, role: delegator)
        guard let flag = fields.members["terminating"]?.boolValue else { throw fields.wrongType("terminating", "a boolean", fields.members["terminating"]) }
        terminating = flag
        let hasPaths = fields.optional("paths") != nil
        let hasPrefixes = fields.optional("path_hash_prefixes") != nil
        guard hasPaths != hasPrefixes else {
            throw TUFError(.malformed, "\(context) must have exactly one of paths and path_hash_prefixes", role: delegator)
        }
        paths = hasPaths ? try fields.stringArray("paths") : nil
        pathHashPrefixes = hasPrefixes ? try fields.stringArray("path_hash_prefixes") : nil
        guard (paths ?? pathHashPrefixes ?? []).count <= Self.maxPaths else {
            throw TUFError(.tooLarge, "\(context) lists more than \(Self.maxPaths) paths", role: delegator)
        }
    }

    /// Delegated role names: not empty, not a top-level role's (python-tuf refuses those too), at
    /// most 255 bytes. Any other bytes are allowed ("?", "#", "../x"): names reach URLs and files
    /// only percent-encoded (`TUF1Names`).
    static func validate(name: String, delegator: String) throws {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw TUFError(.malformed, "\(delegator) delegates to a role whose name is empty or over 255 bytes", role: delegator)
        }
        guard !TUF1Root.topLevelRoles.contains(where: { ExactName.equal($0, name) }) else {
            throw TUFError(.malformed, "\(delegator) delegates to a role named \(name), a top-level role's name", role: delegator)
        }
    }

    /// True when this role may sign `target` (TUF 1.0 §5.6.7.2): one of `paths` matches it
    /// (`TUF1PathPattern`), or its SHA-256 in hex starts with one of `pathHashPrefixes`.
    public func isDelegated(_ target: String) -> Bool {
        if let paths { return paths.contains { TUF1PathPattern.matches(target, pattern: $0) } }
        let digest = Hex.encode(Digest.sha256(Array(target.utf8)))
        return (pathHashPrefixes ?? []).contains { digest.utf8.starts(with: $0.utf8) }
    }
}

/// Succinct hash-bin delegations (TAP 15): `2^bit_length` bins named
/// `NAME_PREFIX-<bin in hex, zero-padded>`, all with the same keys and threshold; a target belongs
/// to the bin given by the first `bit_length` bits of the SHA-256 of its path. Every bin is
/// terminating.
public struct TUF1SuccinctRoles: Sendable {
    public var keys: TUF1RoleKeys
    /// 1 … 32.
    public var bitLength: Int
    public var namePrefix: String

    init(json value: JSONValue, keys: [String: TUF1Key], delegator: String) throws {
        let fields = try JSONFields(value, context: "\(delegator) succinct_roles", role: delegator)
        self.keys = try TUF1RoleKeys(fields, keys: keys, context: "\(delegator) succinct_roles", role: delegator)
        let bits = try fields.int("bit_length")
        guard (1...32).contains(bits) else {
            throw TUFError(.malformed, "\(delegator) succinct_roles: bit_length \(bits) is not within 1…32", role: delegator)
        }
        bitLength = Int(bits)
        namePrefix = try fields.string("name_prefix")
        guard namePrefix.utf8.count <= 200 else {
            throw TUFError(.malformed, "\(delegator) succinct_roles: name_prefix is over 200 bytes", role: delegator)
        }
        // Every bin is a delegated role name: none may be a top-level role's.
        try TUF1DelegatedRole.validate(name: binName(0), delegator: delegator)
    }

    /// Hex digits in a bin's suffix: those of the largest bin number, `2^bitLength − 1`.
    var suffixLength: Int { (bitLength + 3) / 4 }

    func binName(_ bin: UInt32) -> String {
        let hex = String(bin, radix: 16)
        return "\(namePrefix)-\(String(repeating: "0", count: max(0, suffixLength - hex.count)))\(hex)"
    }

    /// The bin role that holds `target`.
    public func role(for target: String) -> String {
        let digest = Digest.sha256(Array(target.utf8))
        let first = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let shift = UInt32(32 - bitLength)
        return binName(shift == 32 ? 0 : first >> shift)
    }
}
