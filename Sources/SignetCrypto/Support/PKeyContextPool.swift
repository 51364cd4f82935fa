import FoundationEssentials
internal import COpenSSL

/// A small per-key pool of initialised `EVP_PKEY_CTX`s (for ECDSA sign or verify).
///
/// Creating and initialising a context costs about as much as a P-256 signature's hashing and
/// encoding together (~20% of the operation); `openssl speed` reuses one. A context is used by one
/// thread at a time: `withContext` takes one out under the lock, runs the operation outside it,
/// and puts it back. At most `capacity` idle contexts are kept.
final class PKeyContextPool: @unchecked Sendable {  // `idle` is guarded by `lock`; each EVP_PKEY_CTX is used by one thread at a time.
    private let lock = Lock()
    private var idle: [OpaquePointer] = []
    private let capacity: Int
    private let make: @Sendable () -> OpaquePointer?

    /// - Parameter make: returns a fully initialised context (+1) or nil after clearing errors.
    init(capacity: Int = 8, make: @escaping @Sendable () -> OpaquePointer?) {
        self.capacity = capacity
        self.make = make
    }

    deinit { for ctx in idle { EVP_PKEY_CTX_free(ctx) } }

    /// Runs `body` with a context; a context is returned to the pool only if `body` reports it
    /// reusable (returns `reusable: true`), otherwise it is freed.
    func withContext<R>(_ body: (OpaquePointer) throws -> (result: R, reusable: Bool)) throws -> R? {
        lock.lock()
        var ctx = idle.popLast()
        lock.unlock()
        if ctx == nil { ctx = make() }
        guard let ctx else { return nil }
        let outcome: (result: R, reusable: Bool)
        do {
            outcome = try body(ctx)
        } catch {
            EVP_PKEY_CTX_free(ctx)
            throw error
        }
        if outcome.reusable {
            lock.lock()
            if idle.count < capacity {
                idle.append(ctx)
                lock.unlock()
                return outcome.result
            }
            lock.unlock()
        }
        EVP_PKEY_CTX_free(ctx)
        return outcome.result
    }

    /// Builds a maker for ECDSA contexts over `pkey` with `initialise` (`EVP_PKEY_sign_init` or
    /// `EVP_PKEY_verify_init`) and SHA-256 as the signature digest.
    static func ecdsa(_ pkey: PKeyReference, sign: Bool) -> PKeyContextPool {
        PKeyContextPool {
            guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey.raw, nil) else { OpenSSLCall.clearErrors(); return nil }
            let initialised = sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)
            guard initialised == 1, EVP_PKEY_CTX_set_signature_md(ctx, FetchedDigest.sha256.md) == 1 else {
                EVP_PKEY_CTX_free(ctx)
                OpenSSLCall.clearErrors()
                return nil
            }
            return ctx
        }
    }
}

/// A non-owning, Sendable view of an `EVP_PKEY` for the pool's maker closure; the key object that
/// owns the pool owns the EVP_PKEY and outlives the pool.
struct PKeyReference: @unchecked Sendable {  // borrowed pointer; lifetime guaranteed by the owning key object
    let raw: OpaquePointer
}
