@testable import SignetServer
import SignetTUF
import Testing

/// `TrustRoute.parse`: Notary's routes as bytes (reference §2.1), the one parse behind the router,
/// access control and the event loop's answers from memory.
@Suite struct TrustRouteTests {
    @Test func fixedPathsMatchExactly() {
        #expect(TrustRoute.parse("/v2/") == .ping)
        #expect(TrustRoute.parse("/_notary_server/health") == .health)
        #expect(TrustRoute.parse("/metrics") == .metrics)
        #expect(TrustRoute.parse("/_signet/token") == .token)
        #expect(TrustRoute.parse("/v2/_trust/changefeed") == .catalogChangefeed)
        for path in ["/v2", "/metrics/", "/METRICS", "/v2/_trust/changefeed/", "//v2/", "/V2/", "", "*", "/_signet/token/"] {
            #expect(TrustRoute.parse(path) == .unknown, "\(path.debugDescription)")
        }
    }

    @Test func collectionRoutes() {
        let gun = "example.com/team/app"
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/") == .collection(gun: gun))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/root.json") == .metadata(gun: gun, .current(role: "root")))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/targets/releases.json") == .metadata(gun: gun, .current(role: "targets/releases")))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/3.snapshot.json") == .metadata(gun: gun, .byVersion(role: "snapshot", version: 3)))
        let hash = String(repeating: "Ab", count: 32)
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/targets.\(hash).json") == .metadata(gun: gun, .byHash(role: "targets", sha256: hash.lowercased())))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/timestamp.key") == .serverKey(gun: gun, role: "timestamp"))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/snapshot.key") == .serverKey(gun: gun, role: "snapshot"))
        #expect(TrustRoute.parse("/v2/\(gun)/_trust/changefeed") == .changefeed(gun: gun))
        for tail in ["root.key", "root.json/", "ROOT.json", "root.JSON", "x.json", ".json", "root.json;x", "timestamp.key/"] {
            #expect(TrustRoute.parse("/v2/\(gun)/_trust/tuf/\(tail)") == .unmatched(gun: gun), "\(tail)")
        }
    }

    /// The GUN is everything before the last marker; a changefeed suffix wins over a marker.
    @Test func theLastMarkerEndsTheGUN() {
        #expect(TrustRoute.parse("/v2/a/_trust/tuf/b/_trust/tuf/root.json") == .metadata(gun: "a/_trust/tuf/b", .current(role: "root")))
        #expect(TrustRoute.parse("/v2/a/_trust/tuf/x/_trust/changefeed") == .changefeed(gun: "a/_trust/tuf/x"))
        #expect(TrustRoute.parse("/v2/a/_trust/tuf/root.json/_trust/changefeed") == .changefeed(gun: "a/_trust/tuf/root.json"))
    }

    /// Notary's `[^*]+`: no empty GUN, no `*`. Other oddities stay in the GUN for `GUN.validate`.
    @Test func routeGUNPattern() {
        #expect(TrustRoute.parse("/v2//_trust/tuf/root.json") == .unknown)
        #expect(TrustRoute.parse("/v2//_trust/changefeed") == .unknown)
        #expect(TrustRoute.parse("/v2/a*/_trust/tuf/root.json") == .unknown)
        #expect(TrustRoute.parse("/v2/a/../b/_trust/tuf/root.json").gun == "a/../b")
        #expect(TrustRoute.parse("/v2/a//b/_trust/tuf/root.json").gun == "a//b")
        #expect(TrustRoute.parse("/v2/a/_trust/tuf//root.json") == .unmatched(gun: "a"))
    }

    /// Matching is by bytes: a prepend character (U+0600) before `/` and a combining mark keep the
    /// route and the GUN keeps exactly the path's bytes (Character matching missed both).
    @Test func bytesNotCharacters() throws {
        #expect(TrustRoute.parse("/v2/a\u{600}/_trust/changefeed") == .changefeed(gun: "a\u{600}"))
        let gun = try #require(TrustRoute.parse("/v2/a\u{600}/_trust/tuf/root.json").gun)
        #expect(ExactName.equal(gun, "a\u{600}"))
        let nfd = try #require(TrustRoute.parse("/v2/cafe\u{301}/_trust/tuf/root.json").gun)
        #expect(ExactName.equal(nfd, "cafe\u{301}") && !ExactName.equal(nfd, "caf\u{E9}"))
        #expect(TrustRoute.parse("/v2/a/_trust/tuf/\u{301}root.json") == .unmatched(gun: "a"))
    }

    /// Access control's requirement names the GUN the route names, for every method.
    @Test(arguments: ["GET", "POST", "DELETE", "PUT", "HEAD"])
    func accessRequirementNamesTheRouteGUN(_ method: String) {
        let paths = ["/v2/a/b/_trust/tuf/root.json", "/v2/a/_trust/tuf/b/_trust/tuf/", "/v2/a\u{600}/_trust/changefeed",
                     "/v2/a/../b/_trust/tuf/timestamp.key", "/v2/x/_trust/tuf/junk", "/v2/a*/_trust/tuf/root.json", "/v2/"]
        for path in paths {
            let requirement = AccessRequirement.of(method: method, path: path)
            let gun: String?
            if case .repository(let named, _) = requirement { gun = named } else { gun = nil }
            #expect(gun == TrustRoute.parse(path).gun, "\(method) \(path)")
        }
    }
}
