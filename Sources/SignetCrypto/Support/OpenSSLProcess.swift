internal import COpenSSL

/// Process-wide OpenSSL settings a short-lived command wants.
public enum OpenSSLProcess {
    /// Tells OpenSSL not to register its `atexit` clean-up (`OPENSSL_cleanup`, which frees every
    /// provider, algorithm cache and error string one by one: 1.5% of a warm `signet list`'s CPU).
    /// The kernel frees the process's memory at exit anyway; nothing is written or flushed by the
    /// clean-up. Configuration loading is unchanged (OpenSSL still reads the system openssl.cnf
    /// on first use: it carries the administrator's crypto policy).
    ///
    /// Call it first, before any other OpenSSL use: `OPENSSL_INIT_NO_ATEXIT` only takes effect on
    /// OpenSSL's first initialisation (OpenSSL 3 `OPENSSL_init_crypto(3)`). Later calls do nothing.
    public static func skipCleanupAtExit() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}
