/// The one error type of the HTTP layer.
///
/// `code` is stable and meant for programs (the CLI maps it to an exit code, the server to a status);
/// `message` is for people and names the host, port, URL or limit involved. Messages never contain
/// header values or bodies, so they are safe to log.
public struct HTTPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable machine-readable classes of failure.
    public enum Code: String, Sendable {
        /// The server could not bind or listen (address in use, permission denied, unknown host).
        case bind
        /// The client could not resolve or connect to the server (refused, unreachable, connect timeout).
        case connect
        /// A read or write made no progress within its timeout.
        case timeout
        /// Bytes on the wire, a URL or a multipart body do not follow HTTP/1.1 (RFC 9110/9112) or RFC 7578 framing.
        case malformed
        /// A header section, body or response exceeded its configured limit.
        case tooLarge
        /// A TLS context, handshake, read or write failed (the message carries SignetCrypto's description).
        case tls
        /// Any other socket failure (connection reset, closed early).
        case io
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
