internal import COpenSSL

/// Compares two byte strings in time that depends only on their lengths, not their contents.
///
/// - Returns: `true` iff `a` and `b` have the same length and the same bytes. Lengths are not
///   secret: arrays of different lengths return `false` immediately.
/// - Note: Uses OpenSSL's `CRYPTO_memcmp`. Use it for MACs, tokens and digests supplied by a peer.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    if a.isEmpty { return true }
    return a.withUnsafeBytes { pa in
        b.withUnsafeBytes { pb in
            CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, pa.count) == 0
        }
    }
}
