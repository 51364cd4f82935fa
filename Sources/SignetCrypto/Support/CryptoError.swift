/// The one error type of the crypto layer.
///
/// `code` is stable and meant for programs (tests, the CLI's exit-code mapping); `message` is for
/// people and names the key, file or algorithm involved. Neither ever contains key material or a
/// passphrase. `openSSLErrors` carries OpenSSL's error queue (reason strings only) when a C call
/// failed.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    /// Stable machine-readable classes of failure.
    public enum Code: String, Sendable {
        /// An OpenSSL call failed for a reason other than the ones below.
        case openSSL
        /// Key bytes, PEM or DER could not be parsed.
        case malformedKey
        /// A key type, curve or size Signet does not accept (for example RSA below 2048 bits).
        case unsupportedKey
        /// A signature method that does not fit the key (for example `eddsa` with an ECDSA key).
        case unsupportedMethod
        /// The passphrase did not decrypt the key.
        case wrongPassphrase
        /// The key is encrypted and no passphrase was given.
        case passphraseRequired
        /// Certificate bytes could not be parsed, or a certificate check failed.
        case certificate
        /// A TLS handshake, read or write failed.
        case tls
    }

    public var code: Code
    public var message: String
    public var openSSLErrors: [String]

    public init(_ code: Code, _ message: String, openSSLErrors: [String] = []) {
        self.code = code
        self.message = message
        self.openSSLErrors = openSSLErrors
    }

    public var description: String {
        openSSLErrors.isEmpty ? message : "\(message) (\(openSSLErrors.joined(separator: "; ")))"
    }
}
