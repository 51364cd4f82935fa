import FoundationEssentials

/// Incremental SHA-256 or SHA-512 for hashing large inputs (target files, uploads) in chunks.
///
/// Value semantics: copying a stream and updating the copy leaves the original untouched (the
/// underlying `EVP_MD_CTX` is duplicated on the first write after a copy). `finalize()` returns the
/// digest (32 or 64 bytes) and resets the stream to the empty state, ready for a new message.
public struct DigestStream {
    public enum Algorithm: Sendable {
        case sha256, sha512

        var fetched: FetchedDigest { self == .sha256 ? FetchedDigest.sha256 : FetchedDigest.sha512 }
        /// Digest size in bytes.
        public var size: Int { self == .sha256 ? 32 : 64 }
    }

    public let algorithm: Algorithm
    private var context: DigestContext

    /// A stream over the empty message.
    public init(_ algorithm: Algorithm) {
        self.algorithm = algorithm
        context = DigestContext(algorithm.fetched, size: algorithm.size)
    }

    /// Feeds `d` into the digest.
    public mutating func update<D: ContiguousBytes>(_ d: D) {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        d.withUnsafeBytes { context.update($0) }
    }

    /// Returns the digest of everything fed so far and resets the stream.
    public mutating func finalize() -> [UInt8] {
        if !isKnownUniquelyReferenced(&context) { context = context.copy() }
        let digest = context.finalize()
        context = DigestContext(algorithm.fetched, size: algorithm.size)
        return digest
    }
}
