import FoundationEssentials
internal import COpenSSL
import Synchronization

/// A small per-key pool of initialised `EVP_PKEY_CTX`s (for ECDSA sign or verify).
///
/// Creating and initialising a context costs about as much as a P-256 signature's hashing and
/// encoding together (~20% of the operation); `openssl speed` reuses one. A context is used by one
/// thread at a time: `withContext` takes one out under the lock, runs the operation outside it,
/// and puts it back. At most `capacity` idle contexts are kept.
final class PKeyContextPool: Sendable {
    private let idle = Mutex<[IdleContext]>([])
    private let capacity: Int
    private let make: @Sendable () -> OpaquePointer?

    /// - Parameter make: returns a fully initialised context (+1) or nil after clearing errors.
    init(capacity: Int = 8, make: @escaping @Sendable () -> OpaquePointer?) {
        self.capacity = capacity
        self.make = make
    }

    deinit { idle.withLock { idle in for ctx in idle { EVP_PKEY_CTX_free(ctx.raw) } } }

    /// Runs `body` with a context; a context is returned to the pool only if `body` reports it
    /// reusable (returns `reusable: true`), otherwise it is freed.
    func withContext<R>(_ body: (OpaquePointer) throws -> (result: R, reusable: Bool)) throws -> R? {
        var ctx = idle.withLock { $0.popLast() }?.raw
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
            let kept = idle.withLock { idle in
                guard idle.count < capacity else { return false }
                idle.append(IdleContext(raw: ctx))
                return true
            }
            if kept { return outcome.result }
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

/// An idle context in the pool; it moves between threads but is used by one at a time.
private struct IdleContext: @unchecked Sendable {  // handed out to one thread at a time by the pool's mutex
    let raw: OpaquePointer
}

/// A non-owning, Sendable view of an `EVP_PKEY` for the pool's maker closure; the key object that
/// owns the pool owns the EVP_PKEY and outlives the pool.
struct PKeyReference: @unchecked Sendable {  // borrowed pointer; lifetime guaranteed by the owning key object
    let raw: OpaquePointer
}
