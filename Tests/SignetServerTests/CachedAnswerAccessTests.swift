import Foundation
import Logging
import SignetHTTP
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// With access control on, current metadata is answered from memory on the event loop only when
/// the access check is a table lookup that allows the request (a token this server issued, or a
/// verified client certificate's subject); Basic credentials (bcrypt), anonymous requests and
/// every refusal go to the worker's full check (issue 12, task item 4).
@Suite(.serialized) struct CachedAnswerAccessTests {
    static let gun = "example.com/alice/app"
    static let other = "example.com/bob/app"
    static let root = Array(#"{"signed":{"alice":"root"},"signatures":[]}"#.utf8)

    final class Setup {
        let scratch: TemporaryDirectory
        let server: InProcessServer
        let access: AccessControl

        init(certificates: Bool = false) throws {
            scratch = try TemporaryDirectory()
            try AuthFixture.htpasswd([("alice", "alice-secret")], at: scratch.path + "/htpasswd")
            var auth = AuthSettings()
            auth.htpasswdFile = scratch.path + "/htpasswd"
            if certificates { auth.tlsClientCAFile = scratch.path + "/unused-ca.pem" }  // only the subject is read here
            auth.maxFailedLoginsPerMinute = 2
            auth.policy = AccessPolicy(rules: [
                .init(identities: ["alice", "CN=alice"], guns: ["example.com/alice/*"], actions: [.pull]),
            ])
            let access = try AccessControl(settings: auth, tlsEnabled: certificates, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            self.access = access
            server = try InProcessServer(storage: scratch.path + "/data", answerFromMemory: true) { $0.accessControl = access }
            for gun in [CachedAnswerAccessTests.gun, CachedAnswerAccessTests.other] {
                try server.trust.store.commit(gun: gun, updates: [MetadataUpdate(role: RoleName.root, version: 1, bytes: CachedAnswerAccessTests.root)])
            }
        }

        func token() throws -> String {
            let issued = try RawHTTP.send(port: server.port, method: "GET", target: "/_signet/token?service=signet&scope=repository:\(CachedAnswerAccessTests.gun):pull",
                                          headers: [AuthFixture.basic("alice", "alice-secret")])
            return try #require(try JSONParser.parse(issued.body)["token"]?.stringValue, "\(issued.bodyText)")
        }

        func request(_ gun: String, _ headers: HTTPHeaders = [:], subject: String? = nil, remote: String = "10.0.0.1:1000") -> HTTPRequest {
            let path = "/v2/\(gun)/_trust/tuf/root.json"
            return HTTPRequest(method: "GET", target: path, path: path, headers: headers, remoteAddress: remote, peerCertificateSubject: subject)
        }

        /// Puts `gun`'s root.json in memory (a GET by the worker path, as alice).
        func warm(_ gun: String) throws {
            _ = try server.trust.getCurrent(gun: gun, role: RoleName.root)
        }

        func stop() {
            server.stop()
            scratch.remove()
        }
    }

    @Test func issuedTokenIsAnsweredFromMemoryOnlyForItsGrant() throws {
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let setup = try Setup()
        defer { setup.stop() }
        try setup.warm(Self.gun)
        try setup.warm(Self.other)
        let token = try setup.token()
        let bearer: HTTPHeaders = ["Authorization": "Bearer " + token]
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun, bearer))?.body == Self.root, "an issued token with pull was not answered from memory")
        // Refusals are the worker's: the token does not grant bob's GUN, a made-up token, no credentials.
        #expect(setup.server.trust.cachedResponse(setup.request(Self.other, bearer)) == nil, "answered bob's root from memory to alice's token")
        let forged: HTTPHeaders = ["Authorization": "Bearer signet." + String(repeating: "0", count: 64)]
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun, forged)) == nil)
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun)) == nil, "an anonymous GET was answered from memory")
        // Basic credentials need bcrypt: the worker.
        let basic: HTTPHeaders = ["Authorization": AuthFixture.basic("alice", "alice-secret").1]
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun, basic)) == nil)
        // The same answers over HTTP, where the worker decides.
        #expect(try RawHTTP.send(port: setup.server.port, method: "GET", target: "/v2/\(Self.gun)/_trust/tuf/root.json", headers: [("Authorization", "Bearer " + token)]).body == Self.root)
        #expect(try RawHTTP.send(port: setup.server.port, method: "GET", target: "/v2/\(Self.other)/_trust/tuf/root.json", headers: [("Authorization", "Bearer " + token)]).status == 401)
    }

    /// An address blocked after failed logins gets the worker's 429, even with a valid token.
    @Test func blockedAddressIsNotAnsweredFromMemory() throws {
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let setup = try Setup()
        defer { setup.stop() }
        try setup.warm(Self.gun)
        let bearer: HTTPHeaders = ["Authorization": "Bearer " + (try setup.token())]
        let remote = "10.0.0.9:4000"
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun, bearer, remote: remote)) != nil)
        for _ in 0..<2 { setup.access.limiter.recordFailure(LoginRateLimiter.address(of: remote)) }
        #expect(setup.server.trust.cachedResponse(setup.request(Self.gun, bearer, remote: remote)) == nil, "a blocked address was answered from memory")
        #expect(setup.server.trust.handle(setup.request(Self.gun, bearer, remote: remote)).status == 429)
    }

    /// A verified client certificate's subject granted pull is answered from memory; one without the
    /// grant, or a subject when the server does not take client certificates, is not.
    @Test func clientCertificateSubjects() throws {
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let withCertificates = try Setup(certificates: true)
        defer { withCertificates.stop() }
        try withCertificates.warm(Self.gun)
        #expect(withCertificates.server.trust.cachedResponse(withCertificates.request(Self.gun, subject: "CN=alice"))?.body == Self.root)
        #expect(withCertificates.server.trust.cachedResponse(withCertificates.request(Self.gun, subject: "CN=mallory")) == nil)
        #expect(withCertificates.server.trust.cachedResponse(withCertificates.request(Self.gun, subject: "")) == nil)

        let without = try Setup()
        defer { without.stop() }
        try without.warm(Self.gun)
        #expect(without.server.trust.cachedResponse(without.request(Self.gun, subject: "CN=alice")) == nil,
                "a certificate subject counted on a server that does not take client certificates")
    }
}
