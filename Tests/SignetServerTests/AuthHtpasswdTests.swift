import Foundation
import SignetHTTP
import SignetTUF
import Testing

/// `signet serve --htpasswd … --policy …` against the real notary 0.7 client and raw requests.
@Suite(.serialized) struct AuthHtpasswdTests {
    static let policy = #"""
    {"rules": [
      {"identities": ["alice"], "guns": ["example.com/team/*"], "actions": ["*"]},
      {"identities": ["bob"], "guns": ["example.com/team/*"], "actions": ["pull"]},
      {"identities": ["carol"], "guns": ["example.com/team/*"], "actions": ["pull", "push"]},
      {"identities": ["dave"], "guns": ["example.com/other/*"], "actions": ["*"]}
    ]}
    """#

    func startServer(_ scratch: TemporaryDirectory, extra: [String] = []) throws -> ServerProcess {
        try AuthFixture.htpasswd([("alice", "alice-secret"), ("bob", "bob-secret"), ("carol", "carol-secret"), ("dave", "dave-secret")],
                                 at: scratch.path + "/htpasswd")
        try AuthFixture.write(Self.policy, to: scratch.path + "/policy.json")
        return try ServerProcess(storage: scratch.path + "/data",
                                 extraArguments: ["--htpasswd", scratch.path + "/htpasswd", "--policy", scratch.path + "/policy.json"] + extra)
    }

    @Test func notaryClientWithNotaryAuth() throws {
        guard AuthFixture.notaryInstalled() else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try startServer(scratch)
        defer { server.stop() }
        let gun = "example.com/team/app"
        let alice = AuthFixture.notaryAuth("alice", "alice-secret")
        let trust = scratch.path + "/alice"
        try AuthFixture.write("hello\n", to: scratch.path + "/hello.txt")

        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["init", gun]).status == 0)
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["add", gun, "v1", scratch.path + "/hello.txt"]).status == 0)
        let published = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["publish", gun])
        #expect(published.status == 0, "publish: \(published.stdout) \(published.stderr)")
        let listed = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["list", gun])
        #expect(listed.status == 0 && listed.stdout.contains("v1"), "list: \(listed.stdout) \(listed.stderr)")
        let before = try AuthFixture.timestamp(port: server.port, gun: gun, as: AuthFixture.basic("alice", "alice-secret"))
        #expect(before != nil)

        // A wrong password: 401, nothing changes.
        try AuthFixture.write("other\n", to: scratch.path + "/other.txt")
        let wrong = AuthFixture.notaryAuth("alice", "not-the-password")
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: wrong, ["add", gun, "v2", scratch.path + "/other.txt"]).status == 0)
        let refused = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: wrong, ["publish", gun])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect((refused.stdout + refused.stderr).lowercased().contains("unauthorized"), "\(refused.stdout) \(refused.stderr)")
        #expect(!server.log.contains("not-the-password"), "the password must never be logged")
        #expect(server.log.contains("failed login"))
        #expect(try AuthFixture.timestamp(port: server.port, gun: gun, as: AuthFixture.basic("alice", "alice-secret")) == before)

        // bob has pull only: reads, cannot publish or delete.
        let bob = AuthFixture.notaryAuth("bob", "bob-secret")
        let bobTrust = scratch.path + "/bob"
        let bobList = try AuthFixture.notary(server.baseURL, trustDir: bobTrust, auth: bob, ["list", gun])
        #expect(bobList.status == 0 && bobList.stdout.contains("v1"), "bob list: \(bobList.stdout) \(bobList.stderr)")
        let bobPublish = try AuthFixture.notary(server.baseURL, trustDir: trust, auth: bob, ["publish", gun])
        #expect(bobPublish.status == 1, "\(bobPublish.stdout) \(bobPublish.stderr)")
        #expect((bobPublish.stdout + bobPublish.stderr).contains("you are not authorized to perform this operation: server returned 401."), "\(bobPublish.stdout) \(bobPublish.stderr)")
        let bobDelete = try AuthFixture.notary(server.baseURL, trustDir: bobTrust, auth: bob, ["delete", gun, "--remote"])
        #expect(bobDelete.status == 1, "\(bobDelete.stdout) \(bobDelete.stderr)")
        #expect((bobDelete.stdout + bobDelete.stderr).contains("you are not authorized to perform this operation: server returned 401."), "\(bobDelete.stdout) \(bobDelete.stderr)")
        #expect(try AuthFixture.timestamp(port: server.port, gun: gun, as: AuthFixture.basic("alice", "alice-secret")) == before)

        // Without credentials even reading is refused.
        let anonymous = try AuthFixture.notary(server.baseURL, trustDir: scratch.path + "/anon", auth: nil, ["list", gun])
        #expect(anonymous.status == 1, "\(anonymous.stdout) \(anonymous.stderr)")
        #expect((anonymous.stdout + anonymous.stderr).contains("you are not authorized to perform this operation: server returned 401."), "\(anonymous.stdout) \(anonymous.stderr)")

        // alice publishes the staged change; her delete --remote works.
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["publish", gun]).status == 0)
        #expect(try AuthFixture.notary(server.baseURL, trustDir: trust, auth: alice, ["delete", gun, "--remote"]).status == 0)
        #expect(try AuthFixture.timestamp(port: server.port, gun: gun, as: AuthFixture.basic("alice", "alice-secret")) == nil)
    }

    @Test func routeScopesAndErrorBodies() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try startServer(scratch)
        defer { server.stop() }
        let port = server.port
        func send(_ method: String, _ target: String, _ user: String?) throws -> HTTPResponse {
            try RawHTTP.send(port: port, method: method, target: target, headers: user.map { [AuthFixture.basic($0, "\($0)-secret")] } ?? [])
        }
        /// A refused request's HTTP status and Notary error code.
        func refusal(_ response: HTTPResponse) -> (Int, String?) { (response.status, Probe.errorCode(response.bodyText)) }
        // Open routes.
        #expect(try send("GET", "/_notary_server/health", nil).status == 200)
        #expect(try send("GET", "/metrics", nil).status == 200)
        // The ping: 401 with a Bearer challenge and Notary's envelope.
        let ping = try send("GET", "/v2/", nil)
        #expect(ping.status == 401)
        #expect(ping.headers["WWW-Authenticate"]?.hasPrefix("Bearer realm=\"http://127.0.0.1:\(port)/_signet/token\"") == true)
        #expect(try send("GET", "/v2/", "bob").status == 200)
        let anonymous = try send("GET", "/v2/example.com/team/app/_trust/tuf/root.json", nil)
        #expect(anonymous.status == 401)
        #expect(anonymous.bodyText == #"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required","detail":[{"Type":"repository","Name":"example.com/team/app","Action":"pull"}]}]}"#)
        #expect(anonymous.headers["WWW-Authenticate"]?.contains(#"scope="repository:example.com/team/app:pull""#) == true)

        // GET timestamp.key needs push,pull; POST timestamp.key needs push; DELETE needs *.
        #expect(try refusal(send("GET", "/v2/example.com/team/app/_trust/tuf/timestamp.key", "bob")) == (403, "DENIED"))
        #expect(try send("GET", "/v2/example.com/team/app/_trust/tuf/timestamp.key", "carol").status == 200)
        #expect(try refusal(send("POST", "/v2/example.com/team/app/_trust/tuf/timestamp.key", "bob")) == (403, "DENIED"))
        #expect(try send("POST", "/v2/example.com/team/app/_trust/tuf/timestamp.key", "carol").status == 200)
        #expect(try refusal(send("DELETE", "/v2/example.com/team/app/_trust/tuf/", "carol")) == (403, "DENIED"))
        #expect(try send("DELETE", "/v2/example.com/team/app/_trust/tuf/", "alice").status == 200)
        let publish = try send("POST", "/v2/example.com/team/app/_trust/tuf/", "bob")
        #expect(publish.status == 403)
        #expect(Probe.errorCode(publish.bodyText) == "DENIED")
        // Another team's GUN: refused for reads too.
        #expect(try refusal(send("GET", "/v2/example.com/other/app/_trust/tuf/root.json", "alice")) == (403, "DENIED"))
        #expect(try refusal(send("GET", "/v2/example.com/other/app/_trust/tuf/root.json", "dave")) == (404, "METADATA_NOT_FOUND"))
        #expect(try refusal(send("GET", "/v2/example.com/team/app/_trust/changefeed?records=10", "dave")) == (403, "DENIED"))
        // The global changefeed needs * on every GUN: nobody here has it.
        #expect(try refusal(send("GET", "/v2/_trust/changefeed?records=10", "alice")) == (403, "DENIED"))
    }

    @Test func failedLoginsAreRateLimited() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try startServer(scratch)
        defer { server.stop() }
        let target = "/v2/example.com/team/app/_trust/tuf/root.json"
        for _ in 0..<10 {
            let response = try RawHTTP.send(port: server.port, method: "GET", target: target, headers: [AuthFixture.basic("alice", "guess")])
            #expect(response.status == 401)
            #expect(Probe.errorCode(response.bodyText) == "UNAUTHORIZED", "\(response.bodyText)")
        }
        let blocked = try RawHTTP.send(port: server.port, method: "GET", target: target, headers: [AuthFixture.basic("alice", "alice-secret")])
        #expect(blocked.status == 429)
        #expect(blocked.headers["Retry-After"] != nil)
        #expect(!server.log.contains("guess"))
    }

    @Test func nonLoopbackWithoutAuthRefusesToStart() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let result = try runCommand(try Paths.signetBinary(), ["serve", "--listen", "0.0.0.0:0", "--storage", scratch.path + "/data"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--htpasswd") && result.stderr.contains("--insecure-no-auth") && result.stderr.contains("docs/access-control.md"), "\(result.stderr)")
        // Loopback without auth starts and says so.
        let server = try ServerProcess(storage: scratch.path + "/loop")
        #expect(server.stop() == 0)
        #expect(server.log.contains("no authentication configured: serving loopback only"))
    }
}
