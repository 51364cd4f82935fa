import Glibc
import Logging

/// The rules `signet serve` checks before it listens, in one place (issue 10 §1, docs/access-control.md):
///
/// - `--tls-cert` and `--tls-key` go together;
/// - the log level is one swift-log knows, and the listen address is `HOST:PORT`;
/// - mutual TLS (`--tls-client-ca`) needs TLS;
/// - without authentication the server listens on loopback only, unless `--insecure-no-auth`
///   (config `auth.insecure_no_auth`) accepts the risk: anyone who can reach it could publish and
///   delete. Loopback is decided on the address literal (`isLoopback(host:)`), never on a name
///   that DNS could point anywhere.
///
/// Client certificates are required during the TLS handshake only when they are the only way in
/// (`requiresClientCertificate`); with passwords or tokens as well they are requested, and
/// verified when sent.
package enum ServePolicy {
    /// A configuration `signet serve` refuses to start with (exit 2); the message names the flag
    /// or config key and what to do instead.
    package struct Refusal: Error, Sendable, CustomStringConvertible {
        package var description: String

        package init(_ description: String) {
            self.description = description
        }
    }

    /// What the checks decided: where to listen, at which log level, and whether that is loopback.
    package struct Plan: Sendable {
        package var host: String
        package var port: Int
        package var logLevel: Logger.Level
        package var loopback: Bool
    }

    /// Checks `configuration` after flags, the config file and `resolveAuth()` are merged.
    /// - Throws: `Refusal` for the first rule it breaks, in the order listed on the type.
    package static func check(_ configuration: ServeConfiguration) throws -> Plan {
        guard (configuration.tlsCertificateFile == nil) == (configuration.tlsKeyFile == nil) else {
            throw Refusal("--tls-cert and --tls-key go together")
        }
        guard let level = Logger.Level(rawValue: configuration.logLevel) else {
            throw Refusal("log level \(configuration.logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
        let (host, port): (String, Int)
        do { (host, port) = try configuration.hostAndPort() } catch { throw Refusal("\(error)") }
        if configuration.auth.tlsClientCAFile != nil, configuration.tlsCertificateFile == nil {
            throw Refusal("--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key")
        }
        let loopback = isLoopback(host: host)
        if !configuration.auth.isEnabled, !loopback, !configuration.insecureNoAuth {
            throw Refusal("""
                refusing to serve \(configuration.listen) without authentication: anyone who can reach it could publish and delete. \
                Configure auth with --htpasswd FILE (create it with `htpasswd -B -c FILE USER`), token auth \
                (--token-realm URL --token-service NAME --token-issuer NAME --token-key FILE), or client certificates \
                (--tls-client-ca FILE with --tls-cert/--tls-key), optionally with --policy FILE; the same keys exist in \
                the config file's "auth" section (docs/access-control.md). Listen on 127.0.0.1 instead, or pass \
                --insecure-no-auth to accept the risk.
                """)
        }
        return Plan(host: host, port: port, logLevel: level, loopback: loopback)
    }

    /// True for an IPv4 literal in `127.0.0.0/8`, the IPv6 loopback `::1` in any spelling, and
    /// `localhost`. A name is never loopback by its spelling (`127.0.0.1.example.com` resolves
    /// wherever its DNS says), and `0.0.0.0` / `::` are every interface.
    package static func isLoopback(host: String) -> Bool {
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.prefix(15).allSatisfy { $0 == 0 } && bytes[15] == 1 }
        }
        return false
    }

    /// Client certificates are required in the handshake when they are the only way in.
    package static func requiresClientCertificate(_ auth: AuthSettings) -> Bool {
        auth.tlsClientCAFile != nil && auth.htpasswdFile == nil && auth.token == nil
    }
}
