import Foundation
import SignetCrypto
import SignetTUF

/// A freshly keyed collection built in the test, in Notary's shape: an `ecdsa-x509` root
/// certificate with CN = GUN, `ecdsa` targets/snapshot/timestamp keys, threshold 1.
struct TestCollection {
    let gun: String
    let now = TUFTime(Date())
    var rootKey: PrivateKey
    var rootTUFKey: TUFKey
    var roleKeys: [String: (TUFKey, PrivateKey)] = [:]
    var root: Root
    var targets: Targets
    var rootSigners: [(key: TUFKey, privateKey: PrivateKey)]
    /// Expiry of snapshot and timestamp.
    var expires = TUFTime(Date().addingTimeInterval(3600 * 24 * 30))

    init(gun: String = "example.com/test/app") throws {
        self.gun = gun
        rootKey = try PrivateKey.generate(.ecdsa)
        let certificate = try Certificate.selfSigned(commonName: gun, key: rootKey, notBefore: Date().addingTimeInterval(-60), notAfter: Date().addingTimeInterval(3600 * 24 * 365))
        rootTUFKey = try TUFKey(certificate: certificate)
        rootSigners = [(rootTUFKey, rootKey)]
        var keys: [String: TUFKey] = [rootTUFKey.id: rootTUFKey]
        var roles: [String: RoleKeys] = [RoleName.root: RoleKeys(keyIDs: [rootTUFKey.id], threshold: 1)]
        for role in [RoleName.targets, RoleName.snapshot, RoleName.timestamp] {
            let key = try PrivateKey.generate(.ecdsa)
            let tufKey = TUFKey(publicKey: key.publicKey)
            roleKeys[role] = (tufKey, key)
            keys[tufKey.id] = tufKey
            roles[role] = RoleKeys(keyIDs: [tufKey.id], threshold: 1)
        }
        let expires = TUFTime(Date().addingTimeInterval(3600 * 24 * 30))
        root = Root(version: 1, expires: expires, keys: keys, roles: roles)
        targets = Targets(version: 1, expires: expires, targets: [
            "1.0": FileMeta(length: 1234, hashes: ["sha256": Digest.sha256(Array("manifest".utf8))]),
        ])
    }

    func signer(_ role: String) -> [(key: TUFKey, privateKey: PrivateKey)] {
        let (key, privateKey) = roleKeys[role]!
        return [(key, privateKey)]
    }

    /// The four files, signed, hashes chained.
    func files(snapshotVersion: Int64 = 1, timestampVersion: Int64 = 1,
               editRoot: (inout MetadataFile) throws -> Void = { _ in },
               editTargets: (inout MetadataFile) throws -> Void = { _ in }) throws -> [String: [UInt8]] {
        var rootFile = try MetadataSigner.sign(root.json, with: rootSigners)
        try editRoot(&rootFile)
        let rootBytes = try rootFile.serialized()
        var targetsFile = try MetadataSigner.sign(targets.json, with: signer(RoleName.targets))
        try editTargets(&targetsFile)
        let targetsBytes = try targetsFile.serialized()
        let snapshot = Snapshot(version: snapshotVersion, expires: expires, meta: [
            RoleName.root: FileMeta(describing: rootBytes), RoleName.targets: FileMeta(describing: targetsBytes),
        ])
        let snapshotBytes = try MetadataSigner.sign(snapshot.json, with: signer(RoleName.snapshot)).serialized()
        let timestamp = Timestamp(version: timestampVersion, expires: expires, snapshot: FileMeta(describing: snapshotBytes))
        let timestampBytes = try MetadataSigner.sign(timestamp.json, with: signer(RoleName.timestamp)).serialized()
        return ["root.json": rootBytes, "targets.json": targetsBytes, "snapshot.json": snapshotBytes, "timestamp.json": timestampBytes]
    }

    /// Adds delegated role files (role name → signed bytes) to `files` and re-signs snapshot
    /// (version 1) and timestamp (version 1) over root, targets and those roles.
    func adding(delegations: [String: [UInt8]], to files: [String: [UInt8]]) throws -> [String: [UInt8]] {
        var files = files
        var meta = [RoleName.root: FileMeta(describing: files["root.json"]!), RoleName.targets: FileMeta(describing: files["targets.json"]!)]
        for (role, bytes) in delegations {
            meta[role] = FileMeta(describing: bytes)
            files[role + ".json"] = bytes
        }
        let snapshot = Snapshot(version: 1, expires: expires, meta: meta)
        files["snapshot.json"] = try MetadataSigner.sign(snapshot.json, with: signer(RoleName.snapshot)).serialized()
        let timestamp = Timestamp(version: 1, expires: expires, snapshot: FileMeta(describing: files["snapshot.json"]!))
        files["timestamp.json"] = try MetadataSigner.sign(timestamp.json, with: signer(RoleName.timestamp)).serialized()
        return files
    }

    func update(_ files: [String: [UInt8]], pin: RootPin? = nil, minimumVersions: [String: Int64] = [:]) throws -> VerifiedCollection {
        try TrustUpdater(gun: gun, now: now, pin: pin, minimumVersions: minimumVersions).update(from: MemoryFetcher(files: files))
    }
}
