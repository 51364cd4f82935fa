import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Go's encoding/json writes a nil slice or map as `null` when the field has no `omitempty`
/// (Notary `tuf/data/*.go`). Notary itself writes `"keyids":null` when the last key of a
/// delegation is removed (`docker trust signer remove`). Each such field reads as empty, and the
/// bytes that carry the `null` stay what is hashed and verified.
@Suite struct GoNilFieldTests {
    static let expires = "2030-01-01T00:00:00Z"
    static let key = TUFKey(keyType: "ecdsa", publicBase64: "AAAA")

    static func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8), what: "test") }

    static func targetsJSON(targets: String = "{}", delegations: String = #"{"keys":{},"roles":[]}"#) -> String {
        #"{"_type":"Targets","delegations":\#(delegations),"expires":"\#(expires)","targets":\#(targets),"version":1}"#
    }

    @Test func targetsNullReadsAsNoTargets() throws {
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(targets: "null")), role: RoleName.targets)
        #expect(parsed.targets.isEmpty)
    }

    @Test func delegationKeysAndRolesNullReadAsEmpty() throws {
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(delegations: #"{"keys":null,"roles":null}"#)), role: RoleName.targets)
        #expect(parsed.delegations.keys.isEmpty)
        #expect(parsed.delegations.roles.isEmpty)
    }

    @Test func delegationKeyIDsNullReadsAsNoKeys() throws {
        // Exactly what notary 0.7 uploads after `notary delegation remove GUN targets/releases KEYID` of the last key.
        let delegations = #"{"keys":{},"roles":[{"keyids":null,"name":"targets/releases","paths":[""],"threshold":1}]}"#
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(delegations: delegations)), role: RoleName.targets)
        let role = try #require(parsed.delegations.roles.first)
        #expect(role.name == "targets/releases")
        #expect(role.keyIDs.isEmpty)
        #expect(role.paths == [""])
    }

    @Test func delegationPathsNullReadsAsNoPaths() throws {
        let delegations = #"{"keys":{},"roles":[{"keyids":[],"name":"targets/releases","paths":null,"threshold":1}]}"#
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(delegations: delegations)), role: RoleName.targets)
        #expect(parsed.delegations.roles.first?.paths == nil)
        #expect(parsed.delegations.roles.first?.covers("1.0") == false)
    }

    @Test func fileMetaHashesNullReadsAsNoHashes() throws {
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(targets: #"{"1.0":{"hashes":null,"length":3}}"#)), role: RoleName.targets)
        #expect(parsed.targets["1.0"]?.hashes.isEmpty == true)
        // No hash: nothing can be checked against it.
        let error = #expect(throws: TUFError.self) { try parsed.targets["1.0"]!.check([1, 2, 3], role: "1.0", parent: RoleName.targets) }
        #expect(error == TUFError(.hashMismatch, "targets lists no sha256 or sha512 hash for 1.0", role: "1.0"), "\(String(describing: error))")
    }

    @Test func customNullReadsAsAbsent() throws {
        let parsed = try Targets(signed: Self.parse(Self.targetsJSON(targets: #"{"1.0":{"custom":null,"hashes":{},"length":3}}"#)), role: RoleName.targets)
        #expect(parsed.targets["1.0"]?.custom == nil)
    }

    @Test func rootKeysRolesAndKeyIDsNull() throws {
        // keys and roles null: an empty root, refused because it defines no base role (not as a type error).
        let empty = #"{"_type":"Root","consistent_snapshot":false,"expires":"\#(Self.expires)","keys":null,"roles":null,"version":1}"#
        let error = try #require(throws: TUFError.self) { try Root(signed: Self.parse(empty)) }
        #expect(error.message.contains("does not define the root role"), "\(error.message)")
        // A base role with keyids null: parsed, with no keys.
        let roles = ["root", "snapshot", "targets", "timestamp"].map { #""\#($0)":{"keyids":\#($0 == "targets" ? "null" : #"["\#(Self.key.id)"]"#),"threshold":1}"# }
        let text = #"{"_type":"Root","consistent_snapshot":false,"expires":"\#(Self.expires)","keys":{"\#(Self.key.id)":{"keytype":"ecdsa","keyval":{"private":null,"public":"AAAA"}}},"roles":{\#(roles.joined(separator: ","))},"version":1}"#
        let root = try Root(signed: Self.parse(text))
        #expect(root.roles[RoleName.targets]?.keyIDs == [])
        #expect(try root.roleKeys(RoleName.targets).keys.isEmpty)
    }

    @Test func snapshotAndTimestampMetaNull() throws {
        let snapshot = #"{"_type":"Snapshot","expires":"\#(Self.expires)","meta":null,"version":1}"#
        let snapshotError = try #require(throws: TUFError.self) { try Snapshot(signed: Self.parse(snapshot)) }
        #expect(snapshotError.message.contains("does not list a sha256 for root"), "\(snapshotError.message)")
        let timestamp = #"{"_type":"Timestamp","expires":"\#(Self.expires)","meta":null,"version":1}"#
        let timestampError = try #require(throws: TUFError.self) { try Timestamp(signed: Self.parse(timestamp)) }
        #expect(timestampError.message.contains("does not list the snapshot"), "\(timestampError.message)")
    }

    @Test func signaturesNullIsAnUnsignedFile() throws {
        let bytes = Array(#"{"signed":\#(Self.targetsJSON()),"signatures":null}"#.utf8)
        let file = try MetadataFile.parse(bytes, role: RoleName.targets)
        #expect(file.signatures.isEmpty)
        let error = try #require(throws: TUFError.self) {
            try SignatureThreshold.verify(file, role: RoleName.targets, keys: [Self.key.id: Self.key], threshold: 1)
        }
        #expect(error.code == .threshold)
    }

    @Test func nullStaysInTheBytesThatAreHashedAndVerified() throws {
        // A targets file signed over a delegation with "keyids":null: it re-serializes to the same
        // bytes, and its signature verifies over the null (not over a rewritten []).
        let signer = try PrivateKey.generate(.ecdsa)
        let signerKey = TUFKey(publicKey: signer.publicKey)
        let delegations = #"{"keys":{},"roles":[{"keyids":null,"name":"targets/releases","paths":[""],"threshold":1}]}"#
        let signed = try MetadataSigner.sign(Self.parse(Self.targetsJSON(delegations: delegations)), with: [(signerKey, signer)])
        let bytes = try signed.serialized()
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""keyids":null"#))
        let reparsed = try MetadataFile.parse(bytes, role: RoleName.targets)
        #expect(try reparsed.serialized() == bytes)
        try SignatureThreshold.verify(reparsed, role: RoleName.targets, keys: [signerKey.id: signerKey], threshold: 1)
    }

    @Test func aDelegationWithNoKeysCannotSign() throws {
        // The parent lists targets/releases with keyids null; the role's file (signed by the removed
        // key) is skipped with a warning that says the role has no keys, and its targets are not trusted.
        var collection = try TestCollection()
        let releasesKey = try PrivateKey.generate(.ecdsa)
        let releasesTUFKey = TUFKey(publicKey: releasesKey.publicKey)
        let releases = Targets(version: 1, expires: collection.expires, targets: ["2.0": FileMeta(describing: Array("two".utf8))])
        let releasesBytes = try MetadataSigner.sign(releases.json, with: [(releasesTUFKey, releasesKey)]).serialized()
        collection.targets.delegations = Delegations(keys: [:], roles: [DelegatedRole(name: "targets/releases", keyIDs: [], threshold: 1, paths: [""])])
        var files = try collection.files(editTargets: { file in
            // As notary writes it: null where the model would write [].
            let text = String(decoding: try CanonicalJSON.encode(file.signed), as: UTF8.self)
                .replacingOccurrences(of: #""keyids":[]"#, with: #""keyids":null"#)
            file = try MetadataSigner.sign(Self.parse(text), with: collection.signer(RoleName.targets))
        })
        #expect(String(decoding: files["targets.json"]!, as: UTF8.self).contains(#""keyids":null"#))
        // Re-chain snapshot and timestamp over the releases file.
        files = try collection.adding(delegations: ["targets/releases": releasesBytes], to: files)

        let verified = try collection.update(files)
        #expect(verified.lookup("1.0") != nil)
        #expect(verified.lookup("2.0") == nil)
        #expect(verified.warnings.contains { $0.contains("targets/releases") && $0.contains("has no keys") }, "\(verified.warnings)")
        // The file that was verified is the one with the null, byte for byte.
        #expect(verified.files[RoleName.targets] == files["targets.json"])
    }
}
