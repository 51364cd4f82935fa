internal import COpenSSL

/// The single place where OpenSSL return codes become Swift errors.
enum OpenSSLCall {
    /// Drains OpenSSL's thread-local error queue into reason strings.
    static func drainErrors() -> [String] {
        var errors: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            errors.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return errors
    }

    /// Clears the error queue on a non-throwing failure path (for example a signature that does not
    /// verify) so that later errors do not carry stale entries.
    static func clearErrors() { ERR_clear_error() }

    /// Throws a `CryptoError` carrying the drained queue unless `result` is 1 (OpenSSL's success).
    @discardableResult
    static func check(_ result: Int32, _ code: CryptoError.Code = .openSSL, _ what: @autoclosure () -> String) throws -> Int32 {
        guard result == 1 else { throw CryptoError(code, what(), openSSLErrors: drainErrors()) }
        return result
    }

    /// Throws unless `pointer` is non-nil; returns it unwrapped.
    static func check<T>(_ pointer: T?, _ code: CryptoError.Code = .openSSL, _ what: @autoclosure () -> String) throws -> T {
        guard let pointer else { throw CryptoError(code, what(), openSSLErrors: drainErrors()) }
        return pointer
    }
}
