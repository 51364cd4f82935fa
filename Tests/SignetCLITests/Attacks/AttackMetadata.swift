import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Metadata an attacker writes for `signet verify --metadata-dir` without the owner's root key.
enum AttackMetadata {
    static let gun = "example.com/ci/app"
    static let evil = Digest.sha256(Array("attacker's manifest".utf8))

    /// Root, targets, snapshot and timestamp for `gun`: the root keys and root signers given, one
    /// fresh key per other role unless `targetsKeys` is given; target `1.0` → the attacker's digest.
    static func files(rootKeys: [TUFKey], rootSigners: [(key: TUFKey, privateKey: PrivateKey)],
                      targetsKeys: [TUFKey]? = nil, targetsSigner: PrivateKey? = nil, threshold: Int64 = 1) throws -> [String: [UInt8]] {
        let expires = TUFTime(Date().addingTimeInterval(86400 * 30))
        var keys: [String: TUFKey] = [:]
        for key in rootKeys { keys[key.id] = key }
        var roles: [String: RoleKeys] = [RoleName.root: RoleKeys(keyIDs: rootKeys.map(\.id), threshold: 1)]
        var signers: [String: [(key: TUFKey, privateKey: PrivateKey)]] = [:]
        for role in [RoleName.targets, RoleName.snapshot, RoleName.timestamp] {
            let privateKey = role == RoleName.targets ? try targetsSigner ?? PrivateKey.generate(.ecdsa) : try PrivateKey.generate(.ecdsa)
            let listed = role == RoleName.targets ? targetsKeys ?? [TUFKey(publicKey: privateKey.publicKey)] : [TUFKey(publicKey: privateKey.publicKey)]
            for key in listed { keys[key.id] = key }
            roles[role] = RoleKeys(keyIDs: listed.map(\.id), threshold: role == RoleName.targets ? threshold : 1)
            signers[role] = listed.map { ($0, privateKey) }
        }
        let root = Root(version: 1, expires: expires, keys: keys, roles: roles)
        let rootBytes = try MetadataSigner.sign(root.json, with: rootSigners).serialized()
        let targets = Targets(version: 1, expires: expires, targets: ["1.0": FileMeta(length: 1234, hashes: ["sha256": evil])])
        let targetsBytes = try MetadataSigner.sign(targets.json, with: signers[RoleName.targets]!).serialized()
        let snapshot = Snapshot(version: 1, expires: expires, meta: [RoleName.root: FileMeta(describing: rootBytes), RoleName.targets: FileMeta(describing: targetsBytes)])
        let snapshotBytes = try MetadataSigner.sign(snapshot.json, with: signers[RoleName.snapshot]!).serialized()
        let timestamp = Timestamp(version: 1, expires: expires, snapshot: FileMeta(describing: snapshotBytes))
        let timestampBytes = try MetadataSigner.sign(timestamp.json, with: signers[RoleName.timestamp]!).serialized()
        return ["root.json": rootBytes, "targets.json": targetsBytes, "snapshot.json": snapshotBytes, "timestamp.json": timestampBytes]
    }

    static func write(_ files: [String: [UInt8]]) throws -> URL {
        let dir = try CLI.temporaryDirectory()
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    static func certificate(for key: PrivateKey) throws -> Certificate {
        try Certificate.selfSigned(commonName: gun, key: key, notBefore: Date().addingTimeInterval(-60), notAfter: Date().addingTimeInterval(86400 * 365))
    }

    static func x509Key(_ bundle: [Certificate]) -> TUFKey {
        TUFKey(keyType: "ecdsa-x509", publicBase64: Data(bundle.map { $0.pem() }.joined().utf8).base64EncodedString())
    }

}
