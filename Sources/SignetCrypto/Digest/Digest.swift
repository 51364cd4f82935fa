import FoundationEssentials
internal import COpenSSL

/// One-shot message digests (FIPS 180-4) over any contiguous bytes (`[UInt8]`, `Data`, …).
///
/// TUF uses SHA-256 for key IDs and metadata/target hashes and SHA-512 as an optional extra hash
/// (Notary writes both for targets and snapshot entries).
public enum Digest {
    /// SHA-256 of `data`; returns 32 bytes.
    public static func sha256<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        oneShot(data, FetchedDigest.sha256, size: 32)
    }

    /// SHA-512 of `data`; returns 64 bytes.
    public static func sha512<D: ContiguousBytes>(_ data: D) -> [UInt8] {
        oneShot(data, FetchedDigest.sha512, size: 64)
    }

    static func oneShot<D: ContiguousBytes>(_ data: D, _ digest: FetchedDigest, size: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let rc = data.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { output in
                // EVP_Digest tolerates a NULL data pointer only with count 0; give it a valid one.
                withUnsafeBytes(of: 0 as UInt8) { empty in
                    EVP_Digest(input.baseAddress ?? empty.baseAddress, input.count, output.baseAddress, &length, digest.md, nil)
                }
            }
        }
        // A digest over memory cannot fail short of memory exhaustion.
        guard rc == 1, Int(length) == size else { fatalError("EVP_Digest failed: \(OpenSSLCall.drainErrors())") }
        return out
    }
}
