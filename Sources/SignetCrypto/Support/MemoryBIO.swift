internal import COpenSSL

/// Helpers for OpenSSL memory BIOs; every BIO is local to one call and freed with `defer`.
enum MemoryBIO {
    /// Runs `body` with a fresh writable memory BIO and returns everything written to it.
    static func collect(_ body: (OpaquePointer) throws -> Void) throws -> [UInt8] {
        let bio = try OpenSSLCall.check(BIO_new(BIO_s_mem()), .openSSL, "BIO_new failed")
        defer { BIO_free(bio) }
        try body(bio)
        var pointer: UnsafeMutablePointer<CChar>? = nil
        let length = shim_BIO_get_mem_data(bio, &pointer)
        guard length > 0, let pointer else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            Array(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Runs `body` with a read-only memory BIO over `bytes` (explicit length, no NUL needed).
    static func reading<R>(_ bytes: [UInt8], _ body: (OpaquePointer) throws -> R) throws -> R {
        try bytes.withUnsafeBytes { raw in
            let bio = try OpenSSLCall.check(BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)), .openSSL, "BIO_new_mem_buf failed")
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }
}

/// DER helpers for `i2d_*` functions that allocate their output.
enum DERBuffer {
    /// Calls an `i2d_*`-style function with a NULL-initialised out pointer and copies the result.
    static func encode(_ what: @autoclosure () -> String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>) -> Int32) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        let length = body(&out)
        guard length > 0, let out else {
            throw CryptoError(.openSSL, what(), openSSLErrors: OpenSSLCall.drainErrors())
        }
        defer { shim_OPENSSL_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// Calls a `d2i_*`-style function over `der` and checks that all bytes were consumed.
    static func decode<T>(_ der: [UInt8], _ code: CryptoError.Code, _ what: @autoclosure () -> String,
                          _ body: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> T?) throws -> T {
        try der.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                throw CryptoError(code, what())
            }
            var cursor: UnsafePointer<UInt8>? = base
            guard let value = body(&cursor, buffer.count) else {
                throw CryptoError(code, what(), openSSLErrors: OpenSSLCall.drainErrors())
            }
            return value
        }
    }
}
