/// The one error type of the client layer.
///
/// `code` is stable; the CLI maps it to the exit codes of DESIGN.md's CLI contract in one place
/// (`usage` → 2, `io`/`unreachable` → 3, the rest → 1). Messages name the GUN, role, key or file
/// involved and never contain passphrases or key material.
package struct ClientError: Error, CustomStringConvertible, Sendable {
    package enum Code: String, Sendable {
        /// Bad arguments or a bad input file (malformed digest, bulk file line, image reference).
        case usage
        /// Not trusted, not found, verification failed.
        case notTrusted
        /// A file could not be read or written.
        case io
        /// The trust server could not be reached.
        case unreachable
        /// The trust server refused the request (its error code and message are in the text).
        case rejected
        /// A key is missing, locked, or its passphrase is wrong or missing.
        case key
    }

    package var code: Code
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }
}
