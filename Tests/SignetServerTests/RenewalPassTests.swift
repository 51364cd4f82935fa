import Foundation
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// Issue 17 §1, server side: the renewal pass re-signs the timestamp ahead of expiry (a quarter of
/// its lifetime left by default, `trust_service.renew_margin_percent`) through the same re-sign
/// as a GET, and `/metrics` exports each stored collection's role expiry and version.
@Suite struct RenewalPassTests {
    static let gun = ServerBehaviourTests.gun

    static func timestamp(_ server: InProcessServer) throws -> Timestamp {
        let response = try server.get("/v2/\(gun)/_trust/tuf/timestamp.json")
        try #require(response.status == 200, "\(response.bodyText)")
        return try Timestamp(signed: MetadataFile.parse(response.body, role: "timestamp").signed)
    }

    /// The version of the newest stored timestamp, read from the store (no GET, which could re-sign).
    static func storedTimestampVersion(_ server: InProcessServer) throws -> Int64? {
        try server.trust.store.current(gun: gun, role: RoleName.timestamp)?.version
    }

    @Test func timestampIsRenewedOnceAQuarterOfItsLifetimeIsLeft() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let notary = try ServerBehaviourTests().publishSample(server, scratch)
        let before = try Self.timestamp(server)

        // 4 of 14 days left: more than a quarter, nothing to do.
        server.clock.advance(days: 10)
        #expect(server.trust.renewAhead().isEmpty)
        #expect(try Self.storedTimestampVersion(server) == before.version)

        // 3 days left: re-signed now, without any GET.
        server.clock.advance(days: 1)
        #expect(server.trust.renewAhead() == [Self.gun])
        #expect(try Self.storedTimestampVersion(server) == before.version + 1)
        let after = try Self.timestamp(server)
        #expect(after.version == before.version + 1)
        #expect(after.expires > before.expires.adding(seconds: 10 * 86400))
        #expect(after.snapshot == before.snapshot)
        // A second pass finds nothing to do; the notary client accepts the renewed timestamp.
        #expect(server.trust.renewAhead().isEmpty)
        let list = try notary.run(["list", Self.gun])
        #expect(list.status == 0, "\(list.stderr)")
        let feed = try JSONParser.parse(try server.get("/v2/\(Self.gun)/_trust/changefeed?records=-1&change_id=-1").body)
        #expect(feed["records"]?.arrayValue?.last?["Version"]?.intValue == after.version)
    }

    /// Margin 0 keeps Notary's behaviour: nothing is re-signed before it expires.
    @Test func marginZeroRenewsOnlyExpiredRoles() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data") { $0.renewalPercent = 0 }
        defer { server.stop() }
        _ = try ServerBehaviourTests().publishSample(server, scratch)
        let version = try #require(try Self.storedTimestampVersion(server))
        server.clock.advance(days: 13.9)
        #expect(server.trust.renewAhead().isEmpty)
        server.clock.advance(days: 0.2)
        #expect(server.trust.renewAhead() == [Self.gun])
        #expect(try Self.storedTimestampVersion(server) == version + 1)
    }

    /// `trust_service.renew_margin_percent` and `renew_interval_seconds` reach the settings;
    /// out-of-range values are refused naming the key.
    @Test func renewalConfigKeys() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let file = scratch.path + "/config.json"
        try Data(#"{"trust_service": {"renew_margin_percent": 40, "renew_interval_seconds": 60}}"#.utf8).write(to: URL(fileURLWithPath: file))
        let configuration = try ServeConfiguration.load(file: file)
        #expect(configuration.settings.renewalPercent == 40)
        #expect(configuration.settings.renewalIntervalSeconds == 60)
        #expect(ServeConfiguration().settings.renewalPercent == 25)
        for (body, key) in [(#"{"trust_service": {"renew_margin_percent": 100}}"#, "trust_service.renew_margin_percent"),
                            (#"{"trust_service": {"renew_interval_seconds": 0}}"#, "trust_service.renew_interval_seconds")] {
            try Data(body.utf8).write(to: URL(fileURLWithPath: file))
            #expect {
                _ = try ServeConfiguration.load(file: file)
            } throws: { error in
                "\(error)".contains(key)
            }
        }
    }

    /// The gauges of `/metrics` name every stored collection's roles with their `expires` and
    /// version; a GUN that was only asked for, or was deleted, has no series.
    @Test func roleGaugesForEveryStoredCollection() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        _ = try ServerBehaviourTests().publishSample(server, scratch)
        let timestamp = try Self.timestamp(server)
        #expect(try server.get("/v2/example.com/not/stored/_trust/tuf/root.json").status == 404)

        let metrics = try server.get("/metrics").bodyText
        #expect(metrics.contains("# TYPE signet_role_expires_timestamp_seconds gauge"), "\(metrics)")
        #expect(metrics.contains("# TYPE signet_role_version gauge"), "\(metrics)")
        for role in ["root", "targets", "snapshot", "timestamp"] {
            #expect(metrics.contains(#"signet_role_expires_timestamp_seconds{gun="\#(Self.gun)",role="\#(role)"} "#), "\(role): \(metrics)")
            #expect(metrics.contains(#"signet_role_version{gun="\#(Self.gun)",role="\#(role)"} "#), "\(role): \(metrics)")
        }
        #expect(metrics.contains(#"signet_role_expires_timestamp_seconds{gun="\#(Self.gun)",role="timestamp"} \#(timestamp.expires.seconds)"#), "\(metrics)")
        #expect(metrics.contains(#"signet_role_version{gun="\#(Self.gun)",role="timestamp"} \#(timestamp.version)"#), "\(metrics)")
        #expect(!metrics.contains("example.com/not/stored"), "\(metrics)")

        #expect(try RawHTTP.send(port: server.port, method: "DELETE", target: "/v2/\(Self.gun)/_trust/tuf/").status == 200)
        let afterDelete = try server.get("/metrics").bodyText
        #expect(!afterDelete.contains(#"gun="\#(Self.gun)""#), "\(afterDelete)")
    }
}
