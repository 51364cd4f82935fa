import Foundation
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// Current metadata served from memory (issue 12 part 4): the cache answers GETs without storage,
/// is dropped on publish, never keeps bytes a publish replaced, and leaves timestamp re-signing to
/// happen once when it is due.
@Suite struct CurrentMetadataCacheTests {
    static let gun = PublishValidationTests.gun
    let helper = PublishValidationTests()

    /// Publishes root (unless `published`, the root already stored), targets and snapshot at `version`.
    func publishCollection(_ server: InProcessServer, _ repo: PublishValidationTests.Repo, version: Int64 = 1,
                           published: [UInt8]? = nil) throws -> (root: [UInt8], targets: [UInt8]) {
        let root = try published ?? repo.root(), targets = try repo.targets(version: version)
        var parts = [("targets", targets), ("snapshot", try repo.snapshot(version: version, root: root, targets: targets))]
        if published == nil { parts.insert(("root", root), at: 0) }
        let response = try helper.publish(server, parts)
        #expect(response.status == 200, "\(response.bodyText)")
        return (root, targets)
    }

    /// Runs `body` with an in-process server holding a published collection (its first root and targets).
    func withPublishedCollection(_ body: (InProcessServer, PublishValidationTests.Repo, (root: [UInt8], targets: [UInt8])) throws -> Void) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let repo = try PublishValidationTests.Repo(timestampKey: try helper.timestampKey(server))
        try body(server, repo, try publishCollection(server, repo))
    }

    /// After one GET the event loop's responder has the answer (headers included); a publish drops it,
    /// and the next GET serves the new bytes.
    @Test func cachedAnswerIsDroppedOnPublish() throws {
        try withPublishedCollection { server, repo, first in
            let path = "/v2/\(Self.gun)/_trust/tuf/targets.json"
            let request = HTTPRequest(method: "GET", target: path, path: path, remoteAddress: "test")
            #expect(server.trust.cachedResponse(request) == nil, "cached before any GET")

            let served = try server.get(path)
            #expect(served.body == first.targets)
            let cached = try #require(server.trust.cachedResponse(request))
            #expect(cached.body == first.targets)
            #expect(cached.headers["Cache-Control"] == served.headers["Cache-Control"] && cached.headers["Last-Modified"] == served.headers["Last-Modified"])

            let second = try publishCollection(server, repo, version: 2, published: first.root)
            #expect(server.trust.cachedResponse(request) == nil, "still cached after a publish")
            #expect(try server.get(path).body == second.targets)
        }
    }

    /// A GET that read storage before a commit must not make the old bytes current again, and a
    /// change to the stored files by anything else (another server process) is seen at once.
    @Test func entriesAreServedOnlyAtTheRevisionTheyWereReadAt() throws {
        try withPublishedCollection { server, repo, first in
            let path = "/v2/\(Self.gun)/_trust/tuf/targets.json"
            let request = HTTPRequest(method: "GET", target: path, path: path, remoteAddress: "test")
            let cache = server.trust.currentMetadata
            let before = try #require(try server.trust.store.revision(gun: Self.gun))
            let second = try publishCollection(server, repo, version: 2, published: first.root)
            // A GET that read version 1 before the commit stores it under the old revision: never served.
            cache.store(HTTPResponse(status: 200, body: first.targets), gun: Self.gun, role: "targets", revision: before, validUntil: nil)
            #expect(server.trust.cachedResponse(request) == nil)
            #expect(try server.get(path).body == second.targets)
            #expect(server.trust.cachedResponse(request)?.body == second.targets)
            // Another process commits version 3 straight into the storage directory.
            let third = try repo.targets(version: 3)
            try FileStore(directory: server.trust.settings.storageDirectory).commit(gun: Self.gun, updates: [
                MetadataUpdate(role: "targets", version: 3, bytes: third),
            ])
            #expect(server.trust.cachedResponse(request) == nil, "served a cached answer after another process committed")
            #expect(try server.get(path).body == third)
        }
    }

    /// A cached timestamp is not served past its expiry: 20 concurrent GETs once it has expired get one
    /// new timestamp, re-signed once (version + 1), not one each.
    @Test func expiredTimestampIsReSignedOnceForConcurrentGETs() throws {
        try withPublishedCollection { server, _, _ in
            let path = "/v2/\(Self.gun)/_trust/tuf/timestamp.json"
            let before = try Timestamp(signed: MetadataFile.parse(try server.get(path).body, role: "timestamp").signed)
            server.clock.advance(days: 15)  // past the timestamp's 14-day lifetime

            let bodies = CollectedValues<[UInt8]>()
            DispatchQueue.concurrentPerform(iterations: 20) { _ in
                if let response = try? server.get(path), response.status == 200 { bodies.append(response.body) }
            }
            let answers = try #require(bodies.value)
            #expect(answers.count == 20)
            #expect(Set(answers).count == 1, "concurrent GETs saw \(Set(answers).count) different timestamps")
            let after = try Timestamp(signed: MetadataFile.parse(answers[0], role: "timestamp").signed)
            #expect(after.version == before.version + 1)
            #expect(after.expires > TUFTime(server.clock.now()))
        }
    }
}

/// A thread-safe list a concurrent test appends to.
final class CollectedValues<T: Sendable>: @unchecked Sendable {
    // @unchecked Sendable: `stored` is only touched while holding `lock`.
    private let lock = NSLock()
    private var stored: [T] = []
    func append(_ value: T) { lock.withLock { stored.append(value) } }
    var value: [T]? { lock.withLock { stored } }
}
