internal import COpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`, seeded from the OS).
public enum SecureRandom {
    /// Returns `count` random bytes (`count` ≥ 0).
    ///
    /// A DRBG failure is unrecoverable for a signing service (it would mean predictable keys or
    /// nonces), so it traps instead of throwing.
    public static func bytes(_ count: Int) -> [UInt8] {
        precondition(count >= 0, "negative byte count")
        if count == 0 { return [] }
        var out = [UInt8](repeating: 0, count: count)
        let rc = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard rc == 1 else { fatalError("RAND_bytes failed: \(OpenSSLCall.drainErrors())") }
        return out
    }
}
