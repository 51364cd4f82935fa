import SignetCrypto

/// What timestamp says of snapshot and snapshot of each targets role (TUF 1.0 §4.4, §4.6
/// METAFILES): `version`, and optionally `length` and `hashes` (hex).
public struct TUF1MetaFile: Sendable, Equatable {
    public var version: Int64
    public var length: Int64?
    /// Algorithm → digest bytes; nil when not listed (never empty when listed).
    public var hashes: [String: [UInt8]]?

    public init(version: Int64, length: Int64? = nil, hashes: [String: [UInt8]]? = nil) {
        self.version = version
        self.length = length
        self.hashes = hashes
    }

    /// - Throws: `TUFError(.malformed)` for a wrong shape, a negative length, an empty or non-hex
    ///   `hashes`; `MetadataVersion`'s errors.
    init(json value: JSONValue, context: String, role: String) throws {
        let fields = try JSONFields(value, context: context, role: role)
        version = try fields.int("version")
        try MetadataVersion.validate(version, role: context)
        if fields.optional("length") != nil {
            let length = try fields.int("length")
            guard length >= 0 else { throw TUFError(.malformed, "\(context): length \(length) is negative", role: role) }
            self.length = length
        } else {
            length = nil
        }
        hashes = fields.optional("hashes") == nil ? nil : try TUF1Hashes.parse(try fields.object("hashes"), context: context, role: role)
    }

    /// Throws `TUFError(.hashMismatch)` unless `bytes` has the listed length and hashes
    /// (`LengthAndHashes`; an algorithm Signet cannot compute fails).
    public func check(_ bytes: [UInt8], role: String, parent: String) throws {
        try LengthAndHashes.check(bytes, length: length, hashes: hashes ?? [:], requireHash: false, unknown: .refused, role: role, parent: parent)
    }
}

/// `hashes` objects: algorithm → lowercase or uppercase hex digest, at least one.
enum TUF1Hashes {
    static func parse(_ object: [String: JSONValue], context: String, role: String) throws -> [String: [UInt8]] {
        guard !object.isEmpty else { throw TUFError(.malformed, "\(context): hashes is empty", role: role) }
        var hashes: [String: [UInt8]] = [:]
        for (algorithm, value) in object {
            guard let text = value.stringValue, let digest = Hex.decode(text), !digest.isEmpty else {
                throw TUFError(.malformed, "\(context): hash \"\(RoleName.printable(algorithm))\" is not a hex string", role: role)
            }
            hashes[algorithm] = digest
        }
        return hashes
    }
}
