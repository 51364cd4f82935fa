import Foundation
import SignetCrypto
import SignetHTTP
import Testing

/// `signet serve` with bearer tokens from an external issuer (notary-server's token auth).
@Suite(.serialized) struct AuthTokenTests {
    func start(_ scratch: TemporaryDirectory, _ issuer: AuthTokenIssuer) throws -> ServerProcess {
        try ServerProcess(storage: scratch.path + "/data", extraArguments: [
            "--token-realm", issuer.realm, "--token-service", issuer.service, "--token-issuer", issuer.issuer, "--token-key", issuer.keyFile,
        ])
    }

    @Test func notaryClientThroughTheChallenge() throws {
        guard AuthFixture.notaryInstalled() else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let issuer = try AuthTokenIssuer(directory: scratch.path)
        defer { issuer.stop() }
        let server = try start(scratch, issuer)
        defer { server.stop() }
        let gun = "example.com/team/app"
        let ci = AuthFixture.notaryAuth("ci", "ci-secret")
        let trust = scratch.path + "/trust"
        try AuthFixture.write("hello\n", to: scratch.path + "/hello.txt")

        let ping = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/")
        #expect(ping.status == 401)
        #expect(ping.headers["WWW-Authenticate"] == #"Bearer realm="\#(issuer.realm)",service="\#(issuer.service)""#)

        let initialized = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: ci, ["init", gun])
        #expect(initialized.status == 0, "init: \(initialized.stderr)")
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: ci, ["add", gun, "v1", scratch.path + "/hello.txt"]).status == 0)
        let published = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: ci, ["publish", gun])
        #expect(published.status == 0, "publish: \(published.stdout) \(published.stderr)")
        let listed = try AuthFixture.notary(server.baseURL, trustDir: scratch.path + "/reader", auth: ci, ["list", gun])
        #expect(listed.status == 0 && listed.stdout.contains("v1"), "list: \(listed.stdout) \(listed.stderr)")
        // The issuer grants nothing outside example.com/team/: publishing there fails.
        let outside = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: ci, ["init", "-p", "example.com/other/app"])
        #expect(outside.status == 1, "\(outside.stdout) \(outside.stderr)")
        #expect((outside.stdout + outside.stderr).contains("you are not authorized to perform this operation: server returned 401."), "\(outside.stdout) \(outside.stderr)")

        // signet follows the same challenge.
        var environment = NotaryCLI.environment.reduce(into: [String: String]()) { $0[$1.key.replacingOccurrences(of: "NOTARY_", with: "SIGNET_")] = $1.value }
        environment["SIGNET_AUTH"] = ci
        let signetList = try runCommand(try Paths.signetBinary(), ["list", gun, "-s", server.baseURL, "-d", scratch.path + "/signet"], environment: environment)
        #expect(signetList.status == 0 && signetList.stdout.contains("v1"), "signet list: \(signetList.stderr)")
    }

    @Test func badTokensAreRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let issuer = try AuthTokenIssuer(directory: scratch.path)
        defer { issuer.stop() }
        let server = try start(scratch, issuer)
        defer { server.stop() }
        let gun = "example.com/team/app"
        let target = "/v2/\(gun)/_trust/tuf/timestamp.key"
        func status(_ token: String) throws -> HTTPResponse {
            try RawHTTP.send(port: server.port, method: "GET", target: target, headers: [("Authorization", "Bearer " + token)])
        }
        let good = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])])
        #expect(try status(good).status == 200)

        let expired = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], expires: Date().addingTimeInterval(-3600))
        let otherGUN = try issuer.mint(subject: "ci", access: [("repository", "example.com/team/other", ["push", "pull"])])
        let pullOnly = try issuer.mint(subject: "ci", access: [("repository", gun, ["pull"])])
        let badSignature = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], signingKey: try PrivateKey.generate(.ecdsa))
        let algNone = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], alg: "none")
        let wrongAudience = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], audience: "another-service")
        let wrongIssuer = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], issuer: "mallory")
        let notYet = try issuer.mint(subject: "ci", access: [("repository", gun, ["push", "pull"])], notBefore: Date().addingTimeInterval(3600))
        // Tampered payload with the original signature.
        let parts = good.split(separator: ".").map(String.init)
        let tamperedPayload = AuthTokenIssuer.base64URL(Array(#"{"iss":"test-issuer","sub":"ci","aud":"signet-test","exp":9999999999,"access":[{"type":"repository","name":"example.com/team/app","actions":["*"]}]}"#.utf8))
        let tampered = parts[0] + "." + tamperedPayload + "." + parts[2]

        for (name, token) in [("expired", expired), ("another GUN", otherGUN), ("pull only", pullOnly), ("bad signature", badSignature),
                              ("alg none", algNone), ("wrong audience", wrongAudience), ("wrong issuer", wrongIssuer),
                              ("not yet valid", notYet), ("tampered", tampered), ("garbage", "not.a.jwt")] {
            let response = try status(token)
            #expect(response.status == 401, "\(name): \(response.status)")
            #expect(Probe.errorCode(response.bodyText) == "UNAUTHORIZED", "\(name): \(response.bodyText)")
            #expect(response.headers["WWW-Authenticate"]?.hasPrefix("Bearer realm=") == true, "\(name)")
        }
        #expect(!server.log.contains(good) && !server.log.contains(expired), "tokens never reach the log")
        // DELETE needs *, which the good token does not carry.
        let delete = try RawHTTP.send(port: server.port, method: "DELETE", target: "/v2/\(gun)/_trust/tuf/", headers: [("Authorization", "Bearer " + good)])
        #expect(delete.status == 401)
        #expect(Probe.errorCode(delete.bodyText) == "UNAUTHORIZED", "\(delete.bodyText)")
        #expect(delete.headers["WWW-Authenticate"]?.contains(#"error="insufficient_scope""#) == true, "\(delete.headers)")
        #expect(delete.headers["WWW-Authenticate"]?.contains(#"scope="repository:example.com/team/app:*""#) == true)
        #expect(delete.headers["WWW-Authenticate"]?.contains(#"error="insufficient_scope""#) == true)
    }
}
