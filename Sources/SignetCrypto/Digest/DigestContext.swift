internal import COpenSSL

/// Owns one `EVP_MD_CTX` for the streaming digest types.
final class DigestContext {  // Not Sendable: owned by one stream value; copied on write.
    let ctx: OpaquePointer
    let size: Int

    init(_ digest: FetchedDigest, size: Int) {
        guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex2(ctx, digest.md, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2 failed: \(OpenSSLCall.drainErrors())")
        }
        self.ctx = ctx
        self.size = size
    }

    private init(copying other: DigestContext) {
        guard let ctx = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(ctx, other.ctx) == 1 else {
            fatalError("EVP_MD_CTX_copy_ex failed: \(OpenSSLCall.drainErrors())")
        }
        self.ctx = ctx
        self.size = other.size
    }

    func copy() -> DigestContext { DigestContext(copying: self) }

    deinit { EVP_MD_CTX_free(ctx) }

    func update(_ raw: UnsafeRawBufferPointer) {
        guard let base = raw.baseAddress, raw.count > 0 else { return }
        guard EVP_DigestUpdate(ctx, base, raw.count) == 1 else {
            fatalError("EVP_DigestUpdate failed: \(OpenSSLCall.drainErrors())")
        }
    }

    func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        var length: UInt32 = 0
        let rc = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(ctx, $0.baseAddress, &length) }
        guard rc == 1, Int(length) == size else { fatalError("EVP_DigestFinal_ex failed: \(OpenSSLCall.drainErrors())") }
        return out
    }
}
