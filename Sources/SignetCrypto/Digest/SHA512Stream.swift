import FoundationEssentials

/// Incremental SHA-512 for hashing large inputs (target files, uploads) in chunks.
///
/// Value semantics: copying a stream and updating the copy leaves the original untouched (the
/// underlying `EVP_MD_CTX` is duplicated on the first write after a copy). `finalize()` returns
/// 64 bytes and resets the stream to the empty state, ready for a new message.
public struct SHA512Stream {
    private var context = DigestContext(FetchedDigest.sha512, size: 64)

    /// A stream over the empty message.
    public init() {}

    /// Feeds `d` into the digest.
    public mutating func update<D: ContiguousBytes>(_ d: D) {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        d.withUnsafeBytes { context.update($0) }
    }

    /// Returns the 64-byte digest of everything fed so far and resets the stream.
    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        let digest = context.finalize()
        context = DigestContext(FetchedDigest.sha512, size: 64)
        return digest
    }
}
