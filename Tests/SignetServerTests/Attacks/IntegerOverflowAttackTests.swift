import Foundation
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// Attack: integer overflow against the server (issue 9, hole 3). A publisher uploads a snapshot
/// with version 2^63 − 1; the next server-generated snapshot (a publish without one) or the
/// re-signing of an expired snapshot on one anonymous `GET timestamp.json` computed `version + 1`
/// and trapped (SIGILL), again after every restart: one push took down every collection.
/// Now versions over `MetadataVersion.maximum` (2^31 − 1, Notary's SQL `version` column) are
/// refused on upload with `400 INVALID_UPDATE`, every next version is checked, and a stored
/// collection that cannot be re-signed answers `500` for its own GUN only.
@Suite("Attack: integer overflow") struct IntegerOverflowAttackTests {
    static let maximum: Int64 = 2_147_483_647
    typealias Repo = PublishValidationTests.Repo

    static func serverKey(port: Int, gun: String, role: String) throws -> TUFKey {
        let response = try RawHTTP.send(port: port, method: "GET", target: "/v2/\(gun)/_trust/tuf/\(role).key")
        guard response.status == 200 else { throw TestFailure("\(role).key: \(response.status) \(response.bodyText)") }
        return try TUFKey(json: try JSONParser.parse(response.body), context: "\(role).key", role: nil)
    }

    static func publish(port: Int, gun: String, _ parts: [(String, [UInt8])]) throws -> HTTPResponse {
        let upload = RawHTTP.multipart(parts.map { ("files", $0.0, $0.1) })
        return try RawHTTP.send(port: port, method: "POST", target: "/v2/\(gun)/_trust/tuf/",
                                headers: [("Content-Type", upload.contentType)], body: upload.body)
    }

    static func detail(_ response: HTTPResponse) -> (code: String?, name: String?, message: String?) {
        let error = (try? JSONParser.parse(response.body))?["errors"]?.arrayValue?.first
        return (error?["code"]?.stringValue, error?["detail"]?["Name"]?.stringValue, error?["detail"]?["Error"]?["Msg"]?.stringValue)
    }

    /// A snapshot of `repo` at `version` over `root` and `targets`, expiring at `expires`.
    static func snapshot(_ repo: Repo, version: Int64, root: [UInt8], targets: [UInt8], expires: TUFTime) throws -> [UInt8] {
        let snapshot = Snapshot(version: version, expires: expires,
                                meta: ["root": FileMeta(describing: root), "targets": FileMeta(describing: targets)])
        return try MetadataSigner.sign(snapshot.json, with: [(TUFKey(publicKey: repo.snapshotKey.publicKey), repo.snapshotKey)]).serialized()
    }

    /// A root of `repo` whose snapshot role lists the client's key and `serverSnapshot` (threshold
    /// 1): the publisher signs snapshots, and the server can re-sign them.
    static func sharedSnapshotRoot(_ repo: Repo, serverSnapshot: TUFKey) throws -> [UInt8] {
        let targets = TUFKey(publicKey: repo.targetsKey.publicKey), snapshot = TUFKey(publicKey: repo.snapshotKey.publicKey)
        let root = Root(version: 1, expires: repo.now.adding(seconds: 86400 * 300),
                        keys: [repo.rootTUFKey.id: repo.rootTUFKey, targets.id: targets, snapshot.id: snapshot,
                               serverSnapshot.id: serverSnapshot, repo.timestampKey.id: repo.timestampKey],
                        roles: ["root": RoleKeys(keyIDs: [repo.rootTUFKey.id], threshold: 1), "targets": RoleKeys(keyIDs: [targets.id], threshold: 1),
                                "snapshot": RoleKeys(keyIDs: [snapshot.id, serverSnapshot.id], threshold: 1),
                                "timestamp": RoleKeys(keyIDs: [repo.timestampKey.id], threshold: 1)])
        return try MetadataSigner.sign(root.json, with: [(repo.rootTUFKey, repo.rootKey)]).serialized()
    }

    @Test func versionsOverTheMaximumAreRefusedOnUpload() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let gun = "example.com/overflow/upload"
        let repo = try Repo(timestampKey: try Self.serverKey(port: server.port, gun: gun, role: "timestamp"), gun: gun)
        let root = try repo.root(), targets = try repo.targets()

        let hugeTargets = try repo.targets(version: Int64.max)
        var response = try Self.publish(port: server.port, gun: gun, [("root", root), ("targets", hugeTargets),
                                                                     ("snapshot", try repo.snapshot(root: root, targets: hugeTargets))])
        #expect(response.status == 400, "\(response.bodyText)")
        #expect(Self.detail(response).code == "INVALID_UPDATE" && Self.detail(response).name == "ErrBadTargets", "\(response.bodyText)")
        #expect(Self.detail(response).message == "targets has version 9223372036854775807, over the maximum 2147483647", "\(response.bodyText)")

        let hugeSnapshot = try repo.snapshot(version: Int64.max, root: root, targets: targets)
        response = try Self.publish(port: server.port, gun: gun, [("root", root), ("targets", targets), ("snapshot", hugeSnapshot)])
        #expect(response.status == 400, "\(response.bodyText)")
        #expect(Self.detail(response).name == "ErrBadSnapshot", "\(response.bodyText)")
        #expect(Self.detail(response).message == "snapshot has version 9223372036854775807, over the maximum 2147483647", "\(response.bodyText)")
        #expect(try server.get("/v2/\(gun)/_trust/tuf/root.json").status == 404)

        // The maximum itself is a valid version.
        let topTargets = try repo.targets(version: Self.maximum)
        response = try Self.publish(port: server.port, gun: gun, [("root", root), ("targets", topTargets),
                                                                 ("snapshot", try repo.snapshot(version: Self.maximum, root: root, targets: topTargets))])
        #expect(response.status == 200, "\(response.bodyText)")
    }

    /// Stored data at the top of the range — written before this fix, or by hand — must not stop
    /// the server: the GUN answers 500 (and says why in the log), every other GUN is served, before
    /// and after a restart. Runs a real `signet serve`, whose death the test would see.
    @Test func storedVersionAtTheTopOfTheRangeDoesNotStopTheServer() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = scratch.path + "/data"
        var server = try ServerProcess(storage: storage)
        defer { server.stop() }

        // A bystander collection, published normally.
        let bystander = "example.com/overflow/bystander"
        let other = try Repo(timestampKey: try Self.serverKey(port: server.port, gun: bystander, role: "timestamp"), gun: bystander)
        let otherRoot = try other.root(), otherTargets = try other.targets()
        let published = try Self.publish(port: server.port, gun: bystander, [("root", otherRoot), ("targets", otherTargets),
                                                                             ("snapshot", try other.snapshot(root: otherRoot, targets: otherTargets))])
        #expect(published.status == 200, "\(published.bodyText)")

        // The attacker's collection, as an old server would have stored it: snapshot v2^63−1,
        // already expired, re-signable by the server.
        let victim = "example.com/overflow/attacker"
        let repo = try Repo(timestampKey: try Self.serverKey(port: server.port, gun: victim, role: "timestamp"), gun: victim)
        let serverSnapshot = try Self.serverKey(port: server.port, gun: victim, role: "snapshot")
        let root = try Self.sharedSnapshotRoot(repo, serverSnapshot: serverSnapshot)
        let targets = try repo.targets()
        let snapshot = try Self.snapshot(repo, version: Int64.max, root: root, targets: targets, expires: repo.now.adding(seconds: -3600))
        let stamper = try PrivateKey.generate(.ecdsa)
        let timestamp = try MetadataSigner.sign(Timestamp(version: 1, expires: repo.now.adding(seconds: -3600), snapshot: FileMeta(describing: snapshot)).json,
                                                with: [(TUFKey(publicKey: stamper.publicKey), stamper)]).serialized()
        try FileStore(directory: storage).commit(gun: victim, updates: [
            MetadataUpdate(role: "root", version: 1, bytes: root), MetadataUpdate(role: "targets", version: 1, bytes: targets),
            MetadataUpdate(role: "snapshot", version: Int64.max, bytes: snapshot), MetadataUpdate(role: "timestamp", version: 1, bytes: timestamp),
        ])

        func checkStillServing(_ server: ServerProcess) throws {
            for role in ["timestamp", "snapshot"] {
                let refused = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/\(victim)/_trust/tuf/\(role).json")
                #expect(refused.status == 500, "\(role): \(refused.status) \(refused.bodyText)")
            }
            // A publish that lets the server generate the snapshot.
            let next = try repo.targets(version: 2)
            let refusedPublish = try Self.publish(port: server.port, gun: victim, [("targets", next)])
            #expect(refusedPublish.status == 500, "\(refusedPublish.status) \(refusedPublish.bodyText)")
            #expect(server.process.isRunning)
            for role in ["root", "targets", "snapshot", "timestamp"] {
                let served = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/\(bystander)/_trust/tuf/\(role).json")
                #expect(served.status == 200, "\(role) of the bystander: \(served.status)")
            }
            #expect(server.log.contains(victim) && server.log.contains("over the maximum 2147483647"), "\(server.log)")
        }
        try checkStillServing(server)
        // Stored data does not take the server down after a restart either.
        server.stop()
        server = try ServerProcess(storage: storage)
        try checkStillServing(server)
    }
}
