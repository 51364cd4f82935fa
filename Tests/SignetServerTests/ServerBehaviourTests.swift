import Foundation
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// Caching headers, re-signing on GET, changefeed and metrics, over real sockets.
@Suite struct ServerBehaviourTests {
    static let gun = "example.com/library/app"

    /// init + publish + add + publish with the real notary client; returns its CLI.
    func publishSample(_ server: InProcessServer, _ scratch: TemporaryDirectory) throws -> NotaryCLI {
        let notary = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for transcript in ["01-init", "03-publish-initial", "04-add-file", "09-publish-targets"] {
            let result = try notary.run(try CLITranscript.load(transcript).arguments)
            try #require(result.status == 0, "\(transcript): \(result.stdout) \(result.stderr)")
        }
        return notary
    }

    @Test func cachingHeadersAndContentTypes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        _ = try publishSample(server, scratch)

        let current = try server.get("/v2/\(Self.gun)/_trust/tuf/root.json")
        #expect(current.status == 200)
        #expect(current.headers["Content-Type"] == "text/plain; charset=utf-8")
        #expect(current.headers["Cache-Control"] == "public, max-age=300, s-maxage=300, must-revalidate")
        let lastModified = try #require(current.headers["Last-Modified"])
        #expect(lastModified.hasSuffix(" UTC") && lastModified.count == "Mon, 02 Jan 2006 15:04:05 UTC".count, "\(lastModified)")

        let byVersion = try server.get("/v2/\(Self.gun)/_trust/tuf/1.root.json")
        #expect(byVersion.body == current.body)
        #expect(byVersion.headers["Cache-Control"] == "public, max-age=2592000, s-maxage=2592000")
        let hash = Hex.encode(SignetCrypto.Digest.sha256(current.body))
        let byHash = try server.get("/v2/\(Self.gun)/_trust/tuf/root.\(hash).json")
        #expect(byHash.body == current.body)
        #expect(byHash.headers["Cache-Control"] == "public, max-age=2592000, s-maxage=2592000")

        let key = try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.key")
        #expect(key.status == 200 && key.headers["Cache-Control"] == nil)
        let missing = try server.get("/v2/\(Self.gun)/_trust/tuf/targets/nope.json")
        #expect(missing.status == 404 && missing.headers["Cache-Control"] == nil)
        #expect(missing.headers["Content-Type"] == "application/json; charset=utf-8")
    }

    @Test func zeroMaxAgeDisablesCaching() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data") { $0.currentMaxAge = 0 }
        defer { server.stop() }
        _ = try publishSample(server, scratch)
        let response = try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json")
        #expect(response.headers["Cache-Control"] == "max-age=0, no-cache, no-store")
        #expect(response.headers["Pragma"] == "no-cache")
    }

    @Test func expiredTimestampIsResignedOnGet() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let notary = try publishSample(server, scratch)
        let before = try Timestamp(signed: MetadataFile.parse(try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.json").body, role: "timestamp").signed)

        server.clock.advance(days: 15)
        let response = try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.json")
        #expect(response.status == 200)
        let after = try Timestamp(signed: MetadataFile.parse(response.body, role: "timestamp").signed)
        #expect(after.version == before.version + 1)
        #expect(after.expires > before.expires.adding(seconds: 14 * 86400))
        #expect(after.snapshot == before.snapshot)
        // The same timestamp again: no second re-sign.
        let again = try Timestamp(signed: MetadataFile.parse(try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.json").body, role: "timestamp").signed)
        #expect(again.version == after.version)
        // The client accepts the re-signed timestamp.
        let list = try notary.run(["list", Self.gun])
        #expect(list.status == 0, "\(list.stderr)")
        // A changefeed record for the new timestamp version.
        let feed = try server.get("/v2/\(Self.gun)/_trust/changefeed?records=-1&change_id=-1")
        let record = try JSONParser.parse(feed.body)["records"]?.arrayValue?.last
        #expect(record?["Version"]?.intValue == after.version)
    }

    /// notary#598: notary-server answers 500 for timestamp.json and snapshot.json once root has
    /// expired, which also blocks renewing root. Signet keeps re-signing the timestamp with the
    /// key root lists, so clients reach the root's expiry (and its owner can renew it).
    @Test func expiredRootStillServesFreshTimestampAndSnapshot() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        _ = try publishSample(server, scratch)
        server.clock.advance(days: 11 * 365)
        let now = TUFTime(server.clock.now())
        let response = try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.json")
        #expect(response.status == 200, "\(response.bodyText)")
        let timestamp = try Timestamp(signed: MetadataFile.parse(response.body, role: "timestamp").signed)
        #expect(timestamp.expires > now)
        let snapshot = try server.get("/v2/\(Self.gun)/_trust/tuf/snapshot.json")
        #expect(snapshot.status == 200, "\(snapshot.bodyText)")
        #expect(timestamp.snapshot.sha256Hex == FileMeta(describing: Array(snapshot.body)).sha256Hex)
        let root = try Root(signed: MetadataFile.parse(try server.get("/v2/\(Self.gun)/_trust/tuf/root.json").body, role: "root").signed)
        #expect(root.expires < now)
    }

    @Test func changefeedParametersAndMetrics() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        _ = try publishSample(server, scratch)
        let all = try JSONParser.parse(try server.get("/v2/_trust/changefeed?records=0&change_id=").body)
        #expect(all["count"]?.intValue == 2)
        let afterFirst = try JSONParser.parse(try server.get("/v2/_trust/changefeed?records=10&change_id=1").body)
        #expect(afterFirst["records"]?.arrayValue?.first?["ID"]?.stringValue == "2")
        for query in ["records=x", "records=1&change_id=y"] {
            let refused = try server.get("/v2/_trust/changefeed?\(query)")
            #expect(refused.status == 400, "\(query)")
            #expect(Probe.errorCode(refused.bodyText) == "INVALID_PARAMETERS", "\(query): \(refused.bodyText)")
        }
        _ = try RawHTTP.send(port: server.port, method: "DELETE", target: "/v2/\(Self.gun)/_trust/tuf/")
        let last = try JSONParser.parse(try server.get("/v2/\(Self.gun)/_trust/changefeed?records=-1&change_id=-1").body)
        #expect(last["records"]?.arrayValue?.first?["Category"]?.stringValue == "deletion")
        let metrics = try server.get("/metrics").bodyText
        #expect(metrics.contains(#"notary_server_http_requests_total{code="200",method="post",operation="UpdateTUF"} 2"#), "\(metrics)")
        #expect(metrics.contains(#"operation="Changefeed""#))
    }
}
