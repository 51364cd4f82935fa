import SignetCrypto

/// One signature in a metadata file: `{"keyid":…,"method":…,"sig":…}` (reference §3.8).
public struct Signature: Sendable, Equatable {
    /// Lowercase hex key ID of the TUF key as listed in the role.
    public var keyID: String
    /// Notary's method name as written (`ecdsa`, `eddsa`, `rsapss`, ...).
    public var method: String
    /// The raw signature bytes (base64 on the wire).
    public var value: [UInt8]

    public init(keyID: String, method: String, value: [UInt8]) {
        self.keyID = keyID
        self.method = method
        self.value = value
    }
}

/// A metadata file as stored and served: `{"signed":<object>,"signatures":[…]}`.
///
/// `signed` is the generic tree exactly as received, so verification re-canonicalises what was
/// signed, unknown fields included. `serialized()` writes Notary's exact bytes (reference §3.1),
/// so parsing a file Notary wrote and serializing it gives back the same bytes.
public struct MetadataFile: Sendable {
    public var signed: JSONValue
    public var signatures: [Signature]

    public init(signed: JSONValue, signatures: [Signature]) {
        self.signed = signed
        self.signatures = signatures
    }

    /// Parses a metadata file.
    /// - Parameters:
    ///   - bytes: the file's bytes (at most `maxLength`).
    ///   - role: the role name, used in error messages.
    /// - Throws: `TUFError(.tooLarge)` past `maxLength`; `TUFError(.malformed)` for anything that is
    ///   not the envelope (not JSON, `signed` not an object, a signature without `keyid`, `method`
    ///   or base64 `sig`).
    public static func parse(_ bytes: [UInt8], role: String, maxLength: Int = MetadataLimits.maxFileBytes) throws -> MetadataFile {
        guard bytes.count <= maxLength else {
            throw TUFError(.tooLarge, "\(role) metadata is \(bytes.count) bytes, over the limit of \(maxLength)", role: role)
        }
        let root = try JSONParser.parse(bytes, what: "\(role) metadata")
        guard case .object(let envelope) = root else {
            throw TUFError(.malformed, "\(role) metadata is a JSON \(root.typeName), not an object", role: role)
        }
        guard let signed = envelope["signed"], case .object = signed else {
            throw TUFError(.malformed, "\(role) metadata has no \"signed\" object", role: role)
        }
        // `null` is Go's nil slice (JSONFields+GoNil.swift): a file without signatures.
        let signatureList: [JSONValue]
        if envelope["signatures"]?.isNull == true {
            signatureList = []
        } else if let list = envelope["signatures"]?.arrayValue {
            signatureList = list
        } else {
            throw TUFError(.malformed, "\(role) metadata has no \"signatures\" array", role: role)
        }
        guard signatureList.count <= MetadataLimits.maxSignatures else {
            throw TUFError(.tooLarge, "\(role) metadata has \(signatureList.count) signatures, over the limit of \(MetadataLimits.maxSignatures)", role: role)
        }
        var signatures: [Signature] = []
        for (position, entry) in signatureList.enumerated() {
            guard let keyID = entry["keyid"]?.stringValue, let method = entry["method"]?.stringValue,
                  let sig = entry["sig"]?.stringValue else {
                throw TUFError(.malformed, "\(role) signature #\(position + 1) needs string keyid, method and sig", role: role)
            }
            guard let value = Base64.decode(sig) else {
                throw TUFError(.malformed, "\(role) signature #\(position + 1) (key \(keyID)) is not valid base64", role: role)
            }
            signatures.append(Signature(keyID: keyID, method: method, value: value))
        }
        return MetadataFile(signed: signed, signatures: signatures)
    }

    /// The canonical bytes of `signed`: what every signature covers.
    public func canonicalSigned() throws -> [UInt8] { try CanonicalJSON.encode(signed) }

    /// The file bytes exactly as Notary writes them: `{"signed":` + HTML-escaped canonical
    /// `signed` + `,"signatures":[{"keyid":…,"method":…,"sig":…},…]}`, no whitespace, no newline.
    public func serialized() throws -> [UInt8] {
        var out: [UInt8] = Array(#"{"signed":"#.utf8)
        try CanonicalJSON.write(signed, into: &out, htmlEscaped: true)
        out.append(contentsOf: Array(#","signatures":["#.utf8))
        for (position, signature) in signatures.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Array(#"{"keyid":"#.utf8))
            CanonicalJSON.writeString(signature.keyID, into: &out, htmlEscaped: true)
            out.append(contentsOf: Array(#","method":"#.utf8))
            CanonicalJSON.writeString(signature.method, into: &out, htmlEscaped: true)
            out.append(contentsOf: Array(#","sig":"#.utf8))
            CanonicalJSON.writeString(Base64.encode(signature.value), into: &out, htmlEscaped: true)
            out.append(contentsOf: Array("}".utf8))
        }
        out.append(contentsOf: Array("]}".utf8))
        return out
    }
}

/// Size bounds applied to everything Signet parses (DESIGN.md: every size is bounded).
public enum MetadataLimits {
    /// Largest metadata file accepted when no parent gives its length: 100 MiB (a 1M-target
    /// collection is about 230 MB in Notary's format; 100 MiB allows ~400k targets).
    public static let maxFileBytes = 100 * 1024 * 1024
    /// Largest timestamp file accepted (Notary's client uses 1 MiB).
    public static let maxTimestampBytes = 1024 * 1024
    /// Largest root file accepted when fetched without a known length.
    public static let maxRootBytes = 1024 * 1024 * 5
    /// New root versions one update walks through at most (python-tuf's `max_root_rotations`).
    /// A client further behind is refused before anything past `root.json` is fetched.
    public static let maxRootRotations: Int64 = 256
    /// Bytes of root metadata (`root.json` and every `N.root.json`) one update reads at most while
    /// walking a rotation: 32 MiB, six roots at the 5 MiB file limit or 256 roots of 128 KiB (a
    /// Notary root is a few KiB).
    public static let maxRootChainBytes = 32 * 1024 * 1024
    /// Signatures per file.
    public static let maxSignatures = 256
    /// Keys per root or delegations object.
    public static let maxKeys = 1024
    /// Delegated roles visited in one update.
    public static let maxDelegations = 1024
    /// Delegation nesting depth.
    public static let maxDelegationDepth = 16
}
