import SignetCrypto

extension Timestamp {
    /// Builds and signs a timestamp over `snapshotBytes`: the one way the trust server writes one
    /// (reference §3.7 and §2.3).
    /// - Parameters:
    ///   - version: the new timestamp's version (the caller's rule: +1 over the stored one).
    ///   - snapshotBytes: the bytes of the snapshot file it lists (length, sha256, sha512).
    ///   - now: the instant of signing; the timestamp expires `Expiry.timestampSeconds` after it.
    ///   - signers: the timestamp keys as root lists them, with their private halves.
    /// - Returns: the timestamp and its file's bytes, as Notary writes them
    ///   (`MetadataFile.serialized`).
    /// - Throws: the crypto layer's errors when a key cannot sign.
    public static func signed(version: Int64, snapshotBytes: [UInt8], at now: TUFTime, by signers: [RoleSigner]) throws -> (timestamp: Timestamp, bytes: [UInt8]) {
        let timestamp = Timestamp(version: version, expires: now.adding(seconds: Expiry.timestampSeconds), snapshot: FileMeta(describing: snapshotBytes))
        return (timestamp, try MetadataSigner.sign(timestamp.json, with: signers).serialized())
    }
}
