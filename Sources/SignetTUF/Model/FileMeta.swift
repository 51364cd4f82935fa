import SignetCrypto

/// Hashes and length of a file, as snapshot and timestamp list them (reference §3.6, §3.7), and
/// as targets list their target files.
public struct FileMeta: Sendable, Equatable {
    /// Bytes.
    public var length: Int64
    /// Algorithm name (`sha256`, `sha512`) → digest bytes (base64 on the wire).
    public var hashes: [String: [UInt8]]
    /// Free-form JSON (`custom`), omitted from the wire when nil.
    public var custom: JSONValue?

    public init(length: Int64, hashes: [String: [UInt8]], custom: JSONValue? = nil) {
        self.length = length
        self.hashes = hashes
        self.custom = custom
    }

    /// Length and sha256 + sha512 of `bytes`.
    public init(describing bytes: [UInt8]) {
        self.init(length: Int64(bytes.count), hashes: ["sha256": Digest.sha256(bytes), "sha512": Digest.sha512(bytes)])
    }

    init(json value: JSONValue, context: String, role: String?) throws {
        let fields = try JSONFields(value, context: context, role: role)
        length = try fields.int("length")
        guard length >= 0 else { throw TUFError(.malformed, "\(context): length \(length) is negative", role: role) }
        var hashes: [String: [UInt8]] = [:]
        for (algorithm, encoded) in try fields.goMap("hashes") {
            guard let text = encoded.stringValue, let digest = Base64.decode(text) else {
                throw TUFError(.malformed, "\(context): hash \"\(algorithm)\" is not a base64 string", role: role)
            }
            hashes[algorithm] = digest
        }
        self.hashes = hashes
        custom = fields.optional("custom")
    }

    var json: JSONValue {
        var members: [String: JSONValue] = [
            "length": .int(length),
            "hashes": .object(hashes.mapValues { .string(Base64.encode($0)) }),
        ]
        if let custom { members["custom"] = custom }
        return .object(members)
    }

    /// The sha256 digest as lowercase hex, used in consistent-snapshot route names.
    public var sha256Hex: String? { hashes["sha256"].map(Hex.encode) }

    /// Throws `TUFError(.hashMismatch)` unless `bytes` has this length and every listed hash that
    /// Signet knows (sha256, sha512) matches; at least one of them must be listed (`LengthAndHashes`).
    public func check(_ bytes: [UInt8], role: String, parent: String) throws {
        try LengthAndHashes.check(bytes, length: length, hashes: hashes, requireHash: true, unknown: .ignored, role: role, parent: parent)
    }
}
