import Foundation
import Logging
import SignetHTTP
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// Route confusion (issue 12): the access check and the router must read one path as the same GUN
/// and the same resource. If they parse it differently — percent-encoding, `//`, `..`, a trailing
/// `/`, `;`, case, a repeated `/_trust/tuf/` marker, an overlong GUN, a prepend character that
/// joins a `/` into one grapheme — a client granted one GUN (`example.com/alice/*`) could read,
/// publish to or delete another (`example.com/bob/app`), the class of GHSA-fphv-w9fq-2525 (a check
/// and the effect it guards disagreeing about a name). notary-server has one router for both
/// (gorilla/mux wraps each route's handler in the auth check); Signet parses the path once
/// (`TrustRoute.parse`) for the router, access control and the event loop's answers from memory.
///
/// Every request here is alice's, with valid credentials for her own GUNs; every one targets bob's
/// data through a disguised path, on a server whose memory already holds bob's current metadata.
@Suite("Attack: route confusion", .serialized) struct RouteConfusionAttackTests {
    static let bob = "example.com/bob/app"
    static let bobRoot = Array(#"{"signed":{"bob":"root"},"signatures":[]}"#.utf8)
    static let aliceRoot = Array(#"{"signed":{"alice":"root"},"signatures":[]}"#.utf8)

    /// Paths that end on bob's collection while starting in alice's namespace, or that spell bob's
    /// GUN in another way. `{tail}` is replaced by a route tail.
    static let disguises: [String] = [
        "/v2/example.com/alice/../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/%2E%2E/bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/x/..%2F..%2Fbob/app/_trust/tuf/{tail}",
        "/v2/example.com%2Fbob%2Fapp/_trust/tuf/{tail}",
        "/v2/example.com/alice//../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/./../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/app/_trust/tuf/../../../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/app/_trust/tuf/{tail}/../../../../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/x;/../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice;/../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/x%3F/../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/app/_trust/tuf/{tail}%23/../../../../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/..%5C..%5Cbob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice%D8%80/../bob/app/_trust/tuf/{tail}",  // U+0600 joins the next "/" into one grapheme
        "/v2/example.com/alice/app%CC%81/../../bob/app/_trust/tuf/{tail}",  // U+0301 after a segment
        "/v2/example.com/ALICE/../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/alice/" + String(repeating: "x/../", count: 60) + "../bob/app/_trust/tuf/{tail}",  // overlong GUN
        "/v2/example.com/alice/" + String(repeating: "a", count: 300) + "/../../bob/app/_trust/tuf/{tail}",
        "/v2/example.com/bob/app/_trust/tuf/{tail}/",  // trailing "/"
        "/v2/example.com/bob/app/_trust/tuf//{tail}",
        "/V2/example.com/bob/app/_trust/tuf/{tail}",
        "/v2/example.com/bob/app/_TRUST/tuf/{tail}",
        "/v2/example.com/bob/app/_trust/tuf/{tail}?/v2/example.com/alice/app/_trust/tuf/{tail}",
        "/v2/example.com/bob/app/_trust/tuf/{tail};/v2/example.com/alice/app",
        "//v2/example.com/bob/app/_trust/tuf/{tail}",
        "/v2//example.com/bob/app/_trust/tuf/{tail}",
        "/v2/example.com/bob/app/_trust/tuf/{tail}%00",
        "/v2/*/../example.com/bob/app/_trust/tuf/{tail}",
    ]

    /// A server with htpasswd users alice (push and pull on `example.com/alice/*`) and bob (`*` on
    /// `example.com/bob/*`), bob's and alice's collections stored, bob's root.json already in memory.
    final class Setup {
        let scratch: TemporaryDirectory
        let server: InProcessServer
        let alice = AuthFixture.basic("alice", "alice-secret")
        let bob = AuthFixture.basic("bob", "bob-secret")

        init() throws {
            scratch = try TemporaryDirectory()
            try AuthFixture.htpasswd([("alice", "alice-secret"), ("bob", "bob-secret")], at: scratch.path + "/htpasswd")
            var auth = AuthSettings()
            auth.htpasswdFile = scratch.path + "/htpasswd"
            auth.policy = AccessPolicy(rules: [
                .init(identities: ["alice"], guns: ["example.com/alice/*"], actions: [.pull, .push]),
                .init(identities: ["bob"], guns: ["example.com/bob/*"], actions: [.all]),
            ])
            let access = try AccessControl(settings: auth, tlsEnabled: false, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            server = try InProcessServer(storage: scratch.path + "/data", answerFromMemory: true) { $0.accessControl = access }
            try server.trust.store.commit(gun: RouteConfusionAttackTests.bob, updates: [MetadataUpdate(role: RoleName.root, version: 1, bytes: RouteConfusionAttackTests.bobRoot)])
            try server.trust.store.commit(gun: "example.com/alice/app", updates: [MetadataUpdate(role: RoleName.root, version: 1, bytes: RouteConfusionAttackTests.aliceRoot)])
            let warm = try send("GET", "/v2/\(RouteConfusionAttackTests.bob)/_trust/tuf/root.json", as: bob)
            try #require(warm.status == 200 && warm.body == RouteConfusionAttackTests.bobRoot, "bob reads his own root: \(warm.status)")
            let own = try send("GET", "/v2/example.com/alice/app/_trust/tuf/root.json", as: alice)
            try #require(own.status == 200 && own.body == RouteConfusionAttackTests.aliceRoot, "alice reads her own root: \(own.status)")
        }

        func send(_ method: String, _ target: String, as credentials: (String, String)) throws -> HTTPResponse {
            try RawHTTP.send(port: server.port, method: method, target: target, headers: [credentials])
        }

        /// Bob's root as bob reads it now (unchanged by alice's attempts).
        func bobRootNow() throws -> [UInt8]? {
            let response = try send("GET", "/v2/\(RouteConfusionAttackTests.bob)/_trust/tuf/root.json", as: bob)
            return response.status == 200 ? response.body : nil
        }

        func stop() {
            server.stop()
            scratch.remove()
        }
    }

    /// Alice reads bob's metadata (current, by version), server keys and changefeed through every
    /// disguise: never a 200, never bob's bytes.
    @Test func disguisedReadsDoNotReachAnotherGUN() throws {
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let setup = try Setup()
        defer { setup.stop() }
        var served: [String] = []
        for disguise in Self.disguises {
            for tail in ["root.json", "1.root.json", "timestamp.key"] {
                let target = disguise.replacingOccurrences(of: "{tail}", with: tail)
                let response = try setup.send("GET", target, as: setup.alice)
                if response.status == 200 || response.body == Self.bobRoot { served.append("\(target) → \(response.status)") }
            }
            let feed = disguise.replacingOccurrences(of: "/_trust/tuf/{tail}", with: "/_trust/changefeed")
            let response = try setup.send("GET", feed, as: setup.alice)
            if response.status == 200 { served.append("\(feed) → \(response.status) \(response.bodyText.prefix(200))") }
        }
        #expect(served.isEmpty, "alice was served through: \(served)")
    }

    /// Alice publishes to and deletes bob's collection, and rotates its timestamp key, through every
    /// disguise: every attempt refused, bob's root unchanged.
    @Test func disguisedWritesDoNotReachAnotherGUN() throws {
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        let setup = try Setup()
        defer { setup.stop() }
        let upload = RawHTTP.multipart([(name: "files", filename: "root", body: Self.aliceRoot)])
        var accepted: [String] = []
        for disguise in Self.disguises {
            let collection = disguise.replacingOccurrences(of: "{tail}", with: "")
            let deleted = try setup.send("DELETE", collection, as: setup.alice)
            if deleted.status == 200 { accepted.append("DELETE \(collection)") }
            let published = try RawHTTP.send(port: setup.server.port, method: "POST", target: collection,
                                             headers: [setup.alice, ("Content-Type", upload.contentType)], body: upload.body)
            if published.status == 200 { accepted.append("POST \(collection)") }
            let key = disguise.replacingOccurrences(of: "{tail}", with: "timestamp.key")
            if try setup.send("POST", key, as: setup.alice).status == 200 { accepted.append("POST \(key)") }
        }
        #expect(accepted.isEmpty, "alice's writes were accepted: \(accepted)")
        #expect(try setup.bobRootNow() == Self.bobRoot, "bob's root changed")
    }
}
