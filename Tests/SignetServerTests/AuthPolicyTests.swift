import Foundation
import SignetCrypto
@testable import SignetServer
import Testing

/// The pieces of access control on their own: policy matching, the route table, htpasswd
/// verification, RS256 tokens and the config file's `auth` section.
@Suite struct AuthPolicyTests {
    @Test func gunPatterns() {
        #expect(AccessPolicy.matches(pattern: "registry.example.com/team/*", "registry.example.com/team/app"))
        #expect(AccessPolicy.matches(pattern: "registry.example.com/team/*", "registry.example.com/team/a/b"))
        #expect(!AccessPolicy.matches(pattern: "registry.example.com/team/*", "registry.example.com/teamx/app"))
        #expect(!AccessPolicy.matches(pattern: "registry.example.com/team/*", "registry.example.com/other/app"))
        #expect(AccessPolicy.matches(pattern: "*/app", "example.com/team/app"))
        #expect(AccessPolicy.matches(pattern: "example.com/app", "example.com/app"))
        #expect(!AccessPolicy.matches(pattern: "example.com/app", "example.com/app2"))
        #expect(AccessPolicy.matches(pattern: "*", "anything/at/all"))
    }

    @Test func policyUnionAndWildcardIdentity() throws {
        let policy = try AccessPolicy.parse(try JSONSerialization.jsonObject(with: Data(#"""
        {"rules": [{"identities": ["alice"], "guns": ["a/*"], "actions": ["pull"]},
                   {"identities": ["alice"], "guns": ["a/x"], "actions": ["push"]},
                   {"identities": ["*"], "guns": ["public/*"], "actions": ["pull"]}]}
        """#.utf8)), source: "test")
        #expect(policy.actions(for: "alice", gun: "a/x") == [.pull, .push])
        #expect(policy.actions(for: "alice", gun: "a/y") == [.pull])
        #expect(policy.actions(for: "bob", gun: "public/app") == [.pull])
        #expect(policy.actions(for: "bob", gun: "a/x").isEmpty)
        #expect(Set<AccessAction>([.all]).covers([.push, .pull]))
        #expect(!Set<AccessAction>([.push]).covers([.push, .pull]))
        let unknownAction = #expect(throws: AccessPolicy.Problem.self) {
            try AccessPolicy.parse(["rules": [["identities": ["a"], "guns": ["x"], "actions": ["write"]]]], source: "test")
        }
        #expect(unknownAction?.description.contains("unknown action write (pull, push or *)") == true, "\(String(describing: unknownAction))")
    }

    @Test func routeRequirements() {
        let gun = "example.com/team/app"
        #expect(AccessRequirement.of(method: "GET", path: "/_notary_server/health") == .none)
        #expect(AccessRequirement.of(method: "GET", path: "/metrics") == .none)
        #expect(AccessRequirement.of(method: "GET", path: "/v2/") == .authenticated)
        #expect(AccessRequirement.of(method: "GET", path: "/v2/\(gun)/_trust/tuf/root.json") == .repository(gun: gun, actions: [.pull]))
        #expect(AccessRequirement.of(method: "GET", path: "/v2/\(gun)/_trust/tuf/2.root.json") == .repository(gun: gun, actions: [.pull]))
        #expect(AccessRequirement.of(method: "GET", path: "/v2/\(gun)/_trust/changefeed") == .repository(gun: gun, actions: [.pull]))
        #expect(AccessRequirement.of(method: "POST", path: "/v2/\(gun)/_trust/tuf/") == .repository(gun: gun, actions: [.push]))
        #expect(AccessRequirement.of(method: "DELETE", path: "/v2/\(gun)/_trust/tuf/") == .repository(gun: gun, actions: [.all]))
        #expect(AccessRequirement.of(method: "GET", path: "/v2/\(gun)/_trust/tuf/timestamp.key") == .repository(gun: gun, actions: [.push, .pull]))
        #expect(AccessRequirement.of(method: "POST", path: "/v2/\(gun)/_trust/tuf/timestamp.key") == .repository(gun: gun, actions: [.push]))
        #expect(AccessRequirement.of(method: "GET", path: "/v2/_trust/changefeed") == .catalog)
        #expect(AccessRequirement.of(method: "GET", path: "/elsewhere") == .authenticated)
    }

    @Test func htpasswdBcrypt() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try AuthFixture.htpasswd([("alice", "correct horse"), ("bob", "battery staple")], at: scratch.path + "/htpasswd")
        let file = try HtpasswdFile(path: scratch.path + "/htpasswd")
        #expect(file.verify(user: "alice", password: "correct horse"))
        #expect(!file.verify(user: "alice", password: "correct horsE"))
        #expect(!file.verify(user: "alice", password: "battery staple"))
        #expect(file.verify(user: "bob", password: "battery staple"))
        #expect(!file.verify(user: "carol", password: "correct horse"))
        // MD5 ($apr1$) entries are refused at load.
        let md5 = try runCommand("/usr/bin/htpasswd", ["-m", "-b", "-c", scratch.path + "/md5", "alice", "pw"])
        #expect(md5.status == 0)
        let md5Refusal = #expect(throws: HtpasswdFile.Problem.self) { try HtpasswdFile(path: scratch.path + "/md5") }
        #expect(md5Refusal?.description == "\(scratch.path)/md5 line 1: the entry for alice is not a bcrypt hash; create it with htpasswd -B",
                "\(String(describing: md5Refusal))")
    }

    /// RS256 tokens signed by the openssl CLI (RSASSA-PKCS1-v1_5, SHA-256): a cross-check.
    @Test func rs256TokensVerify() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let dir = scratch.path
        #expect(try runCommand("/usr/bin/openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir + "/key.pem"]).status == 0)
        #expect(try runCommand("/usr/bin/openssl", ["pkey", "-in", dir + "/key.pem", "-pubout", "-out", dir + "/pub.pem"]).status == 0)
        let verifier = try JWTVerifier(keyFile: dir + "/pub.pem", issuer: "iss", service: "svc")
        func token(alg: String, opensslOptions: [String]) throws -> String {
            let header = AuthTokenIssuer.base64URL(Array(#"{"alg":"\#(alg)"}"#.utf8))
            let payload = AuthTokenIssuer.base64URL(Array(#"{"iss":"iss","aud":["svc"],"sub":"ci","exp":\#(Int(Date().timeIntervalSince1970) + 60),"access":[{"type":"repository","name":"a/b","actions":["pull"]}]}"#.utf8))
            try AuthFixture.write(header + "." + payload, to: dir + "/input")
            let signed = try runCommand("/usr/bin/openssl", ["dgst", "-sha256", "-sign", dir + "/key.pem"] + opensslOptions + ["-out", dir + "/sig", dir + "/input"])
            try #require(signed.status == 0, "openssl dgst: \(signed.stderr)")
            let signature = try Array(Data(contentsOf: URL(fileURLWithPath: dir + "/sig")))
            return header + "." + payload + "." + AuthTokenIssuer.base64URL(signature)
        }
        let claims = try verifier.verify(try token(alg: "RS256", opensslOptions: []))
        #expect(claims.subject == "ci")
        #expect(claims.actions(for: .repository(gun: "a/b", actions: [.pull])) == [.pull])
        #expect(claims.actions(for: .repository(gun: "a/c", actions: [.pull])).isEmpty)
        // PSS under an RS256 header, and a PKCS#1 signature claimed as ES256 or HS256, are refused.
        let pss = try token(alg: "RS256", opensslOptions: ["-sigopt", "rsa_padding_mode:pss"])
        let pssRefusal = #expect(throws: JWTVerifier.Refusal.self) { try verifier.verify(pss) }
        #expect(pssRefusal?.description == "token signature does not verify with a configured key")
        let es256Refusal = #expect(throws: JWTVerifier.Refusal.self) { try verifier.verify(try token(alg: "ES256", opensslOptions: [])) }
        #expect(es256Refusal?.description == "token signature does not verify with a configured key")
        let hs256Refusal = #expect(throws: JWTVerifier.Refusal.self) { try verifier.verify(try token(alg: "HS256", opensslOptions: [])) }
        #expect(hs256Refusal?.description == "token algorithm HS256 is not ES256 or RS256")
    }

    @Test func configAuthSection() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path + "/config.json"
        try AuthFixture.write(#"""
        {"auth": {"htpasswd": "/etc/htpasswd", "tls_client_ca": "/etc/ca.crt", "max_failed_logins_per_minute": 3,
                  "type": "token", "options": {"realm": "https://a/token", "service": "s", "issuer": "i", "rootcertbundle": "/etc/b.pem"},
                  "policy": {"rules": [{"identities": ["*"], "guns": ["*"], "actions": ["pull"]}]}}}
        """#, to: path)
        let config = try ServeConfiguration.load(file: path)
        #expect(config.auth.htpasswdFile == "/etc/htpasswd")
        #expect(config.auth.tlsClientCAFile == "/etc/ca.crt")
        #expect(config.auth.maxFailedLoginsPerMinute == 3)
        #expect(config.auth.token?.realm == "https://a/token" && config.auth.token?.keyFile == "/etc/b.pem")
        #expect(config.auth.policy?.actions(for: "x", gun: "y") == [.pull])
        try AuthFixture.write(#"{"auth": {"htpasswd": "/x", "pasword": "oops"}}"#, to: path)
        let typo = #expect(throws: ServeConfiguration.Problem.self) { try ServeConfiguration.load(file: path) }
        #expect(typo?.description == "\(path): unknown key auth.pasword", "\(String(describing: typo))")
        #expect(ServePolicy.isLoopback(host: "127.0.0.1") && ServePolicy.isLoopback(host: "::1"))
        #expect(!ServePolicy.isLoopback(host: "0.0.0.0") && !ServePolicy.isLoopback(host: "::"))
    }
}
