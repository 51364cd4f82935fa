/// One signature of a TUF 1.0 metadata file: `{"keyid": HEX, "sig": HEX}` (TUF 1.0 §4.2). Other
/// members are allowed and ignored (they are outside `signed`).
public struct TUF1Signature: Sendable, Equatable {
    /// The key ID the signature claims, as written.
    public var keyID: String
    /// `sig` as written: hex of the signature bytes. It may be empty or not hex (repositories such
    /// as tuf-on-ci and sigstore list an empty `sig` for a key holder who has not signed yet); such
    /// a signature never verifies, but does not spoil the file (`TUF1Signatures`).
    public var sig: String

    public init(keyID: String, sig: String) {
        self.keyID = keyID
        self.sig = sig
    }
}

/// A TUF 1.0 metadata file, `{"signed": {…}, "signatures": […]}` (TUF 1.0 §4.2), with `signed`
/// kept as the generic tree received, so signatures are checked over its canonical form with
/// every unknown field included (§4: "implementers … must include the data when calculating
/// hashes or verifying signatures"). Canonical JSON is Signet's one encoder (`CanonicalJSON`),
/// which is the OLPC form the spec and securesystemslib use.
///
/// Its bytes are stored exactly as received, never re-serialized (`TUF1Updater`).
public struct TUF1Metadata: Sendable {
    /// The `signed` object.
    public var signed: JSONValue
    /// The signatures, in file order; no two with the same key ID.
    public var signatures: [TUF1Signature]
    /// `signed._type`: `root`, `timestamp`, `snapshot` or `targets`.
    public var type: String

    /// Parses a metadata file.
    /// - Parameters:
    ///   - bytes: the file (at most `maxLength` bytes).
    ///   - role: the role name, for messages.
    /// - Throws: `TUFError(.tooLarge)` past `maxLength` or `MetadataLimits.maxSignatures`;
    ///   `TUFError(.malformed)` for anything that is not the envelope: not JSON, `signed` not an
    ///   object or without a string `_type`, a signature without string `keyid` and `sig`, or two
    ///   signatures with the same key ID (the spec: "each KEYID must be unique in the signatures
    ///   array"; counting them once would also do, refusing is clearer).
    public static func parse(_ bytes: [UInt8], role: String, maxLength: Int) throws -> TUF1Metadata {
        guard bytes.count <= maxLength else {
            throw TUFError(.tooLarge, "\(role) metadata is \(bytes.count) bytes, over the limit of \(maxLength)", role: role)
        }
        let document = try JSONParser.parse(bytes, what: "\(role) metadata")
        let envelope = try JSONFields(document, context: "\(role) metadata", role: role)
        let signed = try envelope.object("signed")
        guard let type = signed["_type"]?.stringValue else {
            throw TUFError(.malformed, "\(role) metadata: \"signed\" has no string \"_type\"", role: role)
        }
        let list = try envelope.array("signatures")
        guard list.count <= MetadataLimits.maxSignatures else {
            throw TUFError(.tooLarge, "\(role) metadata has \(list.count) signatures, over the limit of \(MetadataLimits.maxSignatures)", role: role)
        }
        var signatures: [TUF1Signature] = []
        var seen = Set<ExactName.Key>()
        for (position, entry) in list.enumerated() {
            guard let keyID = entry["keyid"]?.stringValue, let sig = entry["sig"]?.stringValue else {
                throw TUFError(.malformed, "\(role) signature #\(position + 1) needs string keyid and sig", role: role)
            }
            guard seen.insert(ExactName.Key(keyID)).inserted else {
                throw TUFError(.malformed, "\(role) metadata has two signatures by key \(RoleName.printable(keyID)); each key may sign once", role: role)
            }
            signatures.append(TUF1Signature(keyID: keyID, sig: sig))
        }
        return TUF1Metadata(signed: .object(signed), signatures: signatures, type: type)
    }

    public init(signed: JSONValue, signatures: [TUF1Signature], type: String) {
        self.signed = signed
        self.signatures = signatures
        self.type = type
    }

    /// The canonical bytes of `signed`: what every signature covers.
    /// - Throws: `TUFError(.malformed)` for a number canonical JSON cannot hold.
    public func canonicalSigned() throws -> [UInt8] { try CanonicalJSON.encode(signed) }

    /// Throws `TUFError(.wrongType)` unless `_type` is `expected` (§5.3.3 … §5.6.3: a file of the
    /// wrong role is refused before anything else is judged).
    public func requireType(_ expected: String, role: String) throws {
        guard type == expected else {
            throw TUFError(.wrongType, "\(role) has _type \"\(RoleName.printable(type))\", expected \"\(expected)\"", role: role)
        }
    }
}

/// The fields every TUF 1.0 role's `signed` object has (TUF 1.0 §4.2): `_type`, `version` and
/// `expires` as in Notary's dialect (`CommonFields`, with the lower-case type names), and
/// `spec_version`.
struct TUF1CommonFields {
    var specVersion: String
    var version: Int64
    var expires: TUFTime

    /// - Throws: `CommonFields`' errors (`.wrongType` for another `_type`, `.malformed`,
    ///   `MetadataVersion`'s); `.malformed` for a `spec_version` that is not
    ///   `1.<minor>[.<patch>]` (another major version is another format; python-tuf refuses it too).
    init(_ fields: JSONFields, type: String, role: String) throws {
        let common = try CommonFields(fields, expectedType: type, role: role)
        version = common.version
        expires = common.expires
        specVersion = try fields.string("spec_version")
        let parts = specVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts[0] == "1",
              parts.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 9 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }) else {
            throw TUFError(.malformed, "\(role) has spec_version \"\(RoleName.printable(specVersion))\"; Signet reads TUF 1.x metadata", role: role)
        }
    }
}
