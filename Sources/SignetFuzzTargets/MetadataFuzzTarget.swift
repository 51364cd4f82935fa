import SignetTUF

/// The metadata envelope and the four role models.
///
/// Properties, for every input `MetadataFile.parse` accepts:
/// - `serialized()` (Notary's stored bytes) parses back to the same `signed` value and signatures,
///   and serializing that again gives the same bytes; it refuses only a `signed` holding a fraction;
/// - for each role model whose parser accepts `signed` (root; targets, as `targets` and as the
///   delegation `targets/releases`; snapshot; timestamp): the model's `json` parses back to a model
///   with the same `json`, and the re-serialized file's `signed` parses to that same model;
/// - root and delegation keys answer `canonicalID()` and `publicKey()` without crashing (that reaches
///   base64, SPKI and the X.509 certificates of `*-x509` keys).
public enum MetadataFuzzTarget {
    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        guard let file = try? MetadataFile.parse(bytes, role: "fuzz") else { return }
        let serialized: [UInt8]
        do {
            serialized = try file.serialized()
        } catch {
            guard JSONFuzzTarget.containsFractional(file.signed) else {
                throw FuzzPropertyViolation(.metadata, "serialized() refused a parsed file without fractions: \(error)")
            }
            return
        }
        let reparsed: MetadataFile
        do {
            reparsed = try MetadataFile.parse(serialized, role: "fuzz")
        } catch {
            throw FuzzPropertyViolation(.metadata, "serialized bytes do not parse: \(error)")
        }
        guard reparsed.signed == file.signed, reparsed.signatures == file.signatures else {
            throw FuzzPropertyViolation(.metadata, "parse → serialize → parse changed signed or signatures")
        }
        guard (try? reparsed.serialized()) == serialized else {
            throw FuzzPropertyViolation(.metadata, "serialize is not idempotent")
        }

        try roundTrip("root", file.signed, reparsed.signed) { try Root(signed: $0).json }
        try roundTrip("targets", file.signed, reparsed.signed) { try Targets(signed: $0, role: "targets").json }
        try roundTrip("targets/releases", file.signed, reparsed.signed) { try Targets(signed: $0, role: "targets/releases").json }
        try roundTrip("snapshot", file.signed, reparsed.signed) { try Snapshot(signed: $0).json }
        try roundTrip("timestamp", file.signed, reparsed.signed) { try Timestamp(signed: $0).json }

        var keys: [TUFKey] = []
        if let root = try? Root(signed: file.signed) { keys += root.keys.values }
        if let targets = try? Targets(signed: file.signed, role: "targets") { keys += targets.delegations.keys.values }
        for key in keys.prefix(4) {
            _ = try? key.canonicalID()
            _ = try? key.publicKey()
        }
    }

    /// `model(signed)` must be stable: model → json → model gives the same json, and the
    /// re-serialized file's `signed` gives that json too.
    private static func roundTrip(
        _ role: String, _ signed: JSONValue, _ reparsedSigned: JSONValue, _ model: (JSONValue) throws -> JSONValue
    ) throws(FuzzPropertyViolation) {
        guard let first = try? model(signed) else { return }
        let again: JSONValue
        do {
            again = try model(first)
        } catch {
            throw FuzzPropertyViolation(.metadata, "\(role): the model's own json does not parse: \(error)")
        }
        guard again == first else { throw FuzzPropertyViolation(.metadata, "\(role): model → json → model changed the model") }
        guard (try? model(reparsedSigned)) == first else {
            throw FuzzPropertyViolation(.metadata, "\(role): the re-serialized file parses to a different model")
        }
    }
}
