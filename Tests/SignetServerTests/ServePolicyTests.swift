import Foundation
@testable import SignetServer
import Testing

/// `signet serve`'s start-up rules (`Config/ServePolicy.swift`), each with the configurations that
/// try to get around it.
@Suite struct ServePolicyTests {
    static func configuration(listen: String, _ change: (inout ServeConfiguration) -> Void = { _ in }) -> ServeConfiguration {
        var configuration = ServeConfiguration()
        configuration.listen = listen
        change(&configuration)
        return configuration
    }

    static func refusal(_ configuration: ServeConfiguration) -> String? {
        do { _ = try ServePolicy.check(configuration); return nil } catch { return "\(error)" }
    }

    /// Without auth, only loopback literals: a name that merely starts with `127.` or `localhost`
    /// resolves wherever its DNS points, and `0.0.0.0`, `::` or an empty host is every interface.
    @Test func withoutAuthOnlyLoopbackLiterals() throws {
        for listen in ["0.0.0.0:4443", "[::]:4443", ":4443", "192.168.1.10:4443", "127.0.0.1.nip.io:4443", "127.example.com:4443",
                       "127.0.0.1a:4443", "localhost.example.com:4443", "[::ffff:127.0.0.1]:4443", "[::2]:4443", "[fe80::1]:4443"] {
            let refusal = Self.refusal(Self.configuration(listen: listen))
            #expect(refusal?.hasPrefix("refusing to serve \(listen) without authentication") == true, "\(listen): \(refusal ?? "accepted")")
            #expect(refusal?.contains("--insecure-no-auth") == true)
        }
        for listen in ["127.0.0.1:4443", "127.1.2.3:0", "[::1]:4443", "[0:0:0:0:0:0:0:1]:4443", "localhost:4443"] {
            let plan = try ServePolicy.check(Self.configuration(listen: listen))
            #expect(plan.loopback, "\(listen)")
        }
        // Accepting the risk, or configuring auth, lifts the rule.
        let insecure = try ServePolicy.check(Self.configuration(listen: "0.0.0.0:4443") { $0.insecureNoAuth = true })
        #expect(!insecure.loopback && insecure.host == "0.0.0.0" && insecure.port == 4443)
        #expect(Self.refusal(Self.configuration(listen: "0.0.0.0:4443") { $0.auth.htpasswdFile = "/etc/signet/htpasswd" }) == nil)
    }

    /// The old rule judged loopback by the text's prefix; the name below is not loopback.
    @Test func loopbackIsDecidedOnTheAddressNotItsSpelling() {
        #expect(!ServePolicy.isLoopback(host: "127.0.0.1.nip.io"))
        #expect(!ServePolicy.isLoopback(host: "127.evil.example"))
        #expect(ServePolicy.isLoopback(host: "127.255.255.254") && !ServePolicy.isLoopback(host: "128.0.0.1"))
    }

    @Test func tlsAndMutualTLSRules() throws {
        #expect(Self.refusal(Self.configuration(listen: "127.0.0.1:4443") { $0.tlsCertificateFile = "server.crt" }) == "--tls-cert and --tls-key go together")
        #expect(Self.refusal(Self.configuration(listen: "127.0.0.1:4443") { $0.tlsKeyFile = "server.key" }) == "--tls-cert and --tls-key go together")
        #expect(Self.refusal(Self.configuration(listen: "0.0.0.0:4443") { $0.auth.tlsClientCAFile = "ca.crt" })
                == "--tls-client-ca (mutual TLS) needs --tls-cert and --tls-key")
        #expect(Self.refusal(Self.configuration(listen: "127.0.0.1:4443") { $0.logLevel = "loud" })?.hasPrefix("log level loud is not one of") == true)
        #expect(Self.refusal(Self.configuration(listen: "nonsense"))?.contains("listen address nonsense is not HOST:PORT") == true)

        var auth = AuthSettings()
        auth.tlsClientCAFile = "ca.crt"
        #expect(ServePolicy.requiresClientCertificate(auth))
        auth.htpasswdFile = "htpasswd"
        #expect(!ServePolicy.requiresClientCertificate(auth))
        auth.htpasswdFile = nil
        auth.token = AuthSettings.Token(realm: "https://auth.example", service: "signet", issuer: "issuer", keyFile: "key.pem")
        #expect(!ServePolicy.requiresClientCertificate(auth))
    }
}
