internal import COpenSSL

/// An `EVP_MD` fetched once from the default provider and kept for the life of the process.
///
/// Fetching per call (the implicit fetch behind `EVP_sha256()`) costs measurable time on small
/// messages; `openssl speed` fetches once, and so do we.
final class FetchedDigest: @unchecked Sendable {  // EVP_MD is immutable after fetch and refcounted atomically.
    let md: OpaquePointer

    private init(_ name: String) {
        // The default provider always carries SHA-2; a nil here means a broken OpenSSL install.
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL has no \(name) digest: \(OpenSSLCall.drainErrors())")
        }
        self.md = md
    }

    deinit { EVP_MD_free(md) }

    static let sha256 = FetchedDigest("SHA2-256")
    static let sha512 = FetchedDigest("SHA2-512")
    static let sha1 = FetchedDigest("SHA1")
}
