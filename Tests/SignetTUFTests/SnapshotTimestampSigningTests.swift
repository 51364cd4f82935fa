import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// `Snapshot.signed` and `Timestamp.signed` against the bytes notary 0.7 wrote: given the same
/// version, entries and instant, the file is Notary's byte for byte but for the signatures
/// (fixtures `notary-0.7/metadata/example.com_library_app/02-targets`: a snapshot the client
/// signed, a timestamp the server signed).
@Suite struct SnapshotTimestampSigningTests {
    static let stage = Fixtures.appStages.appendingPathComponent("02-targets")

    /// `ours` with the signatures replaced by those of `theirs` must be `theirs`.
    static func expectSameFileButSignatures(_ ours: [UInt8], _ theirs: [UInt8], role: String) throws {
        var file = try MetadataFile.parse(ours, role: role)
        file.signatures = try MetadataFile.parse(theirs, role: role).signatures
        #expect(try file.serialized() == theirs, "\(role): \(String(decoding: ours, as: UTF8.self))")
    }

    @Test func aSnapshotIsWrittenAsNotaryWritesIt() throws {
        let theirs = try Fixtures.bytes(Self.stage.appendingPathComponent("snapshot.json"))
        let snapshot = try Snapshot(signed: MetadataFile.parse(theirs, role: RoleName.snapshot).signed)
        let key = try PrivateKey.generate(.ecdsa)
        let signer = RoleSigner(key: TUFKey(publicKey: key.publicKey), privateKey: key)
        let signedAt = snapshot.expires.adding(seconds: -Expiry.snapshotSeconds)
        let (ours, bytes) = try Snapshot.signed(version: snapshot.version, meta: snapshot.meta, at: signedAt, by: [signer])
        #expect(ours.expires == snapshot.expires && ours.version == 3)
        try Self.expectSameFileButSignatures(bytes, theirs, role: RoleName.snapshot)
        try SignatureThreshold.verify(MetadataFile.parse(bytes, role: RoleName.snapshot), role: RoleName.snapshot, keys: [signer.key.id: signer.key], threshold: 1)
    }

    /// The entries come from the files' bytes: root's and targets' of the same stage.
    @Test func aSnapshotListsTheFilesItIsGiven() throws {
        let theirs = try Snapshot(signed: MetadataFile.parse(try Fixtures.bytes(Self.stage.appendingPathComponent("snapshot.json")), role: RoleName.snapshot).signed)
        var files: [String: [UInt8]] = [:]
        for role in [RoleName.root, RoleName.targets, RoleName.timestamp, RoleName.snapshot] {
            files[role] = try Fixtures.bytes(Self.stage.appendingPathComponent("\(role).json"))
        }
        #expect(Snapshot.meta(describing: files) == theirs.meta)
    }

    @Test func aTimestampIsWrittenAsNotaryWritesIt() throws {
        let snapshotBytes = try Fixtures.bytes(Self.stage.appendingPathComponent("snapshot.json"))
        let theirs = try Fixtures.bytes(Self.stage.appendingPathComponent("timestamp.json"))
        let timestamp = try Timestamp(signed: MetadataFile.parse(theirs, role: RoleName.timestamp).signed)
        let key = try PrivateKey.generate(.ecdsa)
        let signer = RoleSigner(key: TUFKey(publicKey: key.publicKey), privateKey: key)
        let signedAt = timestamp.expires.adding(seconds: -Expiry.timestampSeconds)
        let (ours, bytes) = try Timestamp.signed(version: timestamp.version, snapshotBytes: snapshotBytes, at: signedAt, by: [signer])
        #expect(ours.snapshot == timestamp.snapshot && ours.version == 2)
        try Self.expectSameFileButSignatures(bytes, theirs, role: RoleName.timestamp)
    }
}
