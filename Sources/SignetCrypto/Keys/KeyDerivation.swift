/// Password-based key derivation for encrypted PKCS#8 (PBES2, RFC 8018 §6.2) key files.
/// The cipher is always AES-256-CBC.
public enum KeyDerivation: Sendable, Equatable {
    /// PBKDF2 with HMAC-SHA256 (RFC 8018 §5.2, prf `hmacWithSHA256`). Not readable by Notary 0.7.
    case pbkdf2SHA256(iterations: Int)
    /// PBKDF2 with HMAC-SHA1, the PBKDF2 default prf (the `prf` field is omitted from the DER).
    case pbkdf2SHA1(iterations: Int)
    /// scrypt (RFC 7914) with cost `n` (a power of two), block size `r`, parallelism `p`.
    /// OpenSSL's default 32 MiB limit allows up to n = 16384 with r = 8. Not readable by Notary 0.7.
    case scrypt(n: Int, r: Int, p: Int)

    /// PBKDF2-HMAC-SHA1 with 1,300,000 iterations — the strongest setting Notary 0.7 can read.
    ///
    /// Finding (notary 0.7 `tuf/utils/pkcs8.go`, `ParsePKCS8ToTufKey`): Notary accepts only PBES2
    /// with the PBKDF2 OID and AES-256-CBC; it unmarshals PBKDF2-params into `{salt, iterationCount}`
    /// only — Go's ASN.1 decoder silently ignores the trailing `keyLength`/`prf` fields — and always
    /// derives with `pbkdf2.Key(…, sha1.New)`. So scrypt is rejected ("only PBKDF2 supported"), and
    /// a file with prf hmacWithSHA256 is decrypted with the wrong key ("incorrect password").
    /// The iteration count is read from the file, so raising it from Notary's own 2048 is fine.
    /// 1,300,000 is OWASP's (2023) PBKDF2-HMAC-SHA1 figure, equivalent in cost to 600,000 with
    /// SHA-256, which is the design rule's floor. Proven by the `notary key passwd` interop test.
    public static var `default`: KeyDerivation { .pbkdf2SHA1(iterations: 1_300_000) }
}
