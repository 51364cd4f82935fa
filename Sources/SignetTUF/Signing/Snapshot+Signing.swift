import SignetCrypto

extension Snapshot {
    /// Builds and signs a snapshot: the one way the editor (client) and the trust server write
    /// one (reference §3.6; §2.3 for the server's).
    /// - Parameters:
    ///   - version: the new snapshot's version (the caller's rule: +1 over what it replaces).
    ///   - meta: role name → length and hashes of each file listed (`meta(describing:)`).
    ///   - now: the instant of signing; the snapshot expires `Expiry.snapshotSeconds` after it.
    ///   - signers: the snapshot keys as root lists them, with their private halves.
    /// - Returns: the snapshot and its file's bytes, as Notary writes them
    ///   (`MetadataFile.serialized`).
    /// - Throws: the crypto layer's errors when a key cannot sign.
    public static func signed(version: Int64, meta: [String: FileMeta], at now: TUFTime, by signers: [RoleSigner]) throws -> (snapshot: Snapshot, bytes: [UInt8]) {
        let snapshot = Snapshot(version: version, expires: now.adding(seconds: Expiry.snapshotSeconds), meta: meta)
        return (snapshot, try MetadataSigner.sign(snapshot.json, with: signers).serialized())
    }

    /// What a snapshot lists for `files` (role name → file bytes): each file's length, sha256 and
    /// sha512 (`FileMeta(describing:)`); the snapshot and timestamp themselves are left out.
    public static func meta(describing files: [String: [UInt8]]) -> [String: FileMeta] {
        var meta: [String: FileMeta] = [:]
        for (role, bytes) in files where role != RoleName.snapshot && role != RoleName.timestamp {
            meta[role] = FileMeta(describing: bytes)
        }
        return meta
    }
}
