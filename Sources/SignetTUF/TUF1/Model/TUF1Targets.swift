/// A target file as a TUF 1.0 targets role lists it (TUF 1.0 §4.5 TARGETS): `length` and
/// `hashes` required, `custom` optional.
public struct TUF1TargetFile: Sendable {
    public var length: Int64
    /// Algorithm → digest bytes; at least one.
    public var hashes: [String: [UInt8]]
    public var custom: JSONValue?

    init(json value: JSONValue, context: String, role: String) throws {
        let fields = try JSONFields(value, context: context, role: role)
        length = try fields.int("length")
        guard length >= 0 else { throw TUFError(.malformed, "\(context): length \(length) is negative", role: role) }
        hashes = try TUF1Hashes.parse(try fields.object("hashes"), context: context, role: role)
        custom = fields.optional("custom")
    }

    /// Throws `TUFError(.hashMismatch)` unless `bytes` has this length and every listed hash
    /// matches; an algorithm Signet does not compute fails (`LengthAndHashes`, TUF 1.0 §5.7.3).
    public func check(_ bytes: [UInt8], target: String, role: String) throws {
        try LengthAndHashes.check(bytes, length: length, hashes: hashes, requireHash: true, unknown: .refused, role: target, parent: role)
    }
}

/// A TUF 1.0 targets role, top-level or delegated (TUF 1.0 §4.5).
public struct TUF1Targets: Sendable {
    public static let type = "targets"
    public var version: Int64
    public var expires: TUFTime
    /// Target path → file; paths are compared as bytes (`ExactName`).
    public var targets: [String: TUF1TargetFile]
    public var delegations: TUF1Delegations?

    /// - Throws: `TUFError(.wrongType)`, `.malformed`, `.badKeyID`, `.threshold`, `.tooLarge`.
    public init(signed value: JSONValue, role: String) throws {
        let fields = try JSONFields(value, context: role, role: role)
        let common = try TUF1CommonFields(fields, type: Self.type, role: role)
        version = common.version
        expires = common.expires
        var targets: [String: TUF1TargetFile] = [:]
        for (path, entry) in try fields.object("targets") {
            targets[path] = try TUF1TargetFile(json: entry, context: "\(role) target \"\(RoleName.printable(path))\"", role: role)
        }
        self.targets = targets
        delegations = try fields.optional("delegations").map { try TUF1Delegations(json: $0, role: role) }
    }

    /// The target `path`, byte-exact.
    public func target(_ path: String) -> TUF1TargetFile? { ExactName.value(in: targets, for: path) }
}
