import FoundationEssentials
import SignetCrypto
import SignetSupport

/// A user name and password for a trust server, from `SIGNET_AUTH` (or Notary's `NOTARY_AUTH`):
/// base64 of `user:password`. The password never appears in `description`, logs or errors.
package struct Credentials: Sendable, CustomStringConvertible {
    package var user: String
    var password: String

    package init(user: String, password: String) {
        self.user = user
        self.password = password
    }

    /// `SIGNET_AUTH`, else `NOTARY_AUTH`; nil when neither is set.
    /// - Throws: `ClientError(.usage)` when the value is not base64 of `user:password` (the
    ///   message names the variable, never its value).
    package static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Credentials? {
        for name in ["SIGNET_AUTH", "NOTARY_AUTH"] {
            guard let value = environment[name]?.trimmingWhitespaceAndNewlines(), !value.isEmpty else { continue }
            return try decode(value, source: name)
        }
        return nil
    }

    /// Base64 of `user:password` (`SIGNET_AUTH`, `SIGNET_REGISTRY_AUTH`, Docker's config.json
    /// `auths.<host>.auth`); the password is trimmed as notary trims it.
    /// - Throws: `ClientError(.usage)` naming `source` (never the value) when `value` is not
    ///   base64 of `user:password` with a non-empty user.
    package static func decode(_ value: String, source: String) throws -> Credentials {
        guard let data = Data(base64Encoded: value.trimmingWhitespaceAndNewlines()), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
            throw ClientError(.usage, "\(source) must be base64 of user:password")
        }
        // notary trims the password; do the same so one value works for both clients.
        return Credentials(user: String(text[..<colon]), password: String(text[text.index(after: colon)...]).trimmingWhitespaceAndNewlines())
    }

    /// The `Authorization` header value for Basic auth (RFC 7617).
    var basicHeader: String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    package var description: String { "\(user):<redacted>" }
}
