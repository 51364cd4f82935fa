import Foundation
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import Testing

/// Publish validation with metadata signed in the test (reference §5.1), for the refusals the
/// recorded probes do not reach.
@Suite struct PublishValidationTests {
    static let gun = "example.com/validation/app"

    /// A collection's keys and a way to sign its roles, like a Notary client.
    struct Repo {
        let rootKey: PrivateKey
        let rootTUFKey: TUFKey
        let targetsKey: PrivateKey
        let snapshotKey: PrivateKey
        let timestampKey: TUFKey
        let now = TUFTime(Date())

        init(timestampKey: TUFKey, gun: String = PublishValidationTests.gun, rootKey: PrivateKey? = nil) throws {
            self.rootKey = try rootKey ?? PrivateKey.generate(.ecdsa)
            let certificate = try Certificate.selfSigned(commonName: gun, key: self.rootKey, notBefore: Date().addingTimeInterval(-60),
                                                         notAfter: Date().addingTimeInterval(86400 * 365))
            rootTUFKey = try TUFKey(certificate: certificate)
            targetsKey = try PrivateKey.generate(.ecdsa)
            snapshotKey = try PrivateKey.generate(.ecdsa)
            self.timestampKey = timestampKey
        }

        func root(version: Int64 = 1, expiresIn: Int64 = 86400 * 300, timestamp: TUFKey? = nil, signers: [(TUFKey, PrivateKey)]? = nil) throws -> [UInt8] {
            let targets = TUFKey(publicKey: targetsKey.publicKey), snapshot = TUFKey(publicKey: snapshotKey.publicKey)
            let stamp = timestamp ?? timestampKey
            let root = Root(version: version, expires: now.adding(seconds: expiresIn),
                            keys: [rootTUFKey.id: rootTUFKey, targets.id: targets, snapshot.id: snapshot, stamp.id: stamp],
                            roles: ["root": RoleKeys(keyIDs: [rootTUFKey.id], threshold: 1), "targets": RoleKeys(keyIDs: [targets.id], threshold: 1),
                                    "snapshot": RoleKeys(keyIDs: [snapshot.id], threshold: 1), "timestamp": RoleKeys(keyIDs: [stamp.id], threshold: 1)])
            return try MetadataSigner.sign(root.json, with: signers ?? [(rootTUFKey, rootKey)]).serialized()
        }

        func targets(version: Int64 = 1, expiresIn: Int64 = 86400 * 300, delegations: Delegations = Delegations(),
                     role: String = "targets", key: PrivateKey? = nil, names: [String] = ["latest"]) throws -> [UInt8] {
            let signer = key ?? targetsKey
            var list: [String: FileMeta] = [:]
            for name in names { list[name] = FileMeta(describing: Array("image".utf8)) }
            let targets = Targets(version: version, expires: now.adding(seconds: expiresIn), targets: list, delegations: delegations)
            return try MetadataSigner.sign(targets.json, with: [(TUFKey(publicKey: signer.publicKey), signer)]).serialized()
        }

        func snapshot(version: Int64 = 1, root: [UInt8], targets: [UInt8], extra: [String: [UInt8]] = [:]) throws -> [UInt8] {
            var meta = ["root": FileMeta(describing: root), "targets": FileMeta(describing: targets)]
            for (role, bytes) in extra { meta[role] = FileMeta(describing: bytes) }
            let snapshot = Snapshot(version: version, expires: now.adding(seconds: 86400 * 300), meta: meta)
            return try MetadataSigner.sign(snapshot.json, with: [(TUFKey(publicKey: snapshotKey.publicKey), snapshotKey)]).serialized()
        }
    }

    func timestampKey(_ server: InProcessServer, gun: String = Self.gun) throws -> TUFKey {
        let response = try server.get("/v2/\(gun)/_trust/tuf/timestamp.key")
        return try TUFKey(json: try JSONParser.parse(response.body), context: "timestamp.key", role: nil)
    }

    func publish(_ server: InProcessServer, _ parts: [(String, [UInt8])], gun: String = Self.gun) throws -> HTTPResponse {
        let upload = RawHTTP.multipart(parts.map { ("files", $0.0, $0.1) })
        return try RawHTTP.send(port: server.port, method: "POST", target: "/v2/\(gun)/_trust/tuf/",
                                headers: [("Content-Type", upload.contentType)], body: upload.body)
    }

    func detail(_ response: HTTPResponse) -> (name: String?, message: String?) {
        let error = (try? JSONParser.parse(response.body))?["errors"]?.arrayValue?.first?["detail"]
        return (error?["Name"]?.stringValue, error?["Error"]?["Msg"]?.stringValue)
    }

    /// How a test makes the stored current `targets` unreadable.
    enum StoredDamage: CaseIterable {
        /// Version 2 committed as bytes that are not JSON.
        case unparsable
        /// The version file the manifest lists deleted (a corrupt store).
        case missing
    }

    /// A server on `scratch` with `repo`'s root, the `targets` that `parent` signs and snapshot v1
    /// published, then its stored `targets` damaged as `damage` says.
    /// - Returns: the server (the caller stops it), the repo, the root and the targets published.
    func publishedWithDamagedTargets(_ damage: StoredDamage, scratch: TemporaryDirectory, parent: (Repo) throws -> [UInt8])
        throws -> (server: InProcessServer, repo: Repo, root: [UInt8], targets: [UInt8]) {
        let server = try InProcessServer(storage: scratch.path + "/data")
        let repo = try Repo(timestampKey: try timestampKey(server))
        let root = try repo.root(), targets = try parent(repo)
        try #require(try publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))]).status == 200)
        switch damage {
        case .unparsable:
            try server.trust.store.withWriteLock(gun: Self.gun) {
                try server.trust.store.commit(gun: Self.gun, updates: [MetadataUpdate(role: "targets", version: 2, bytes: Array("{\"signed\": nope".utf8))])
            }
        case .missing:
            let data = URL(fileURLWithPath: scratch.path + "/data")
            let files = try #require(FileManager.default.enumerator(atPath: data.path)?.compactMap { $0 as? String })
            let stored = try #require(files.first { $0.contains("/versions/targets.") }, "\(files)")
            try FileManager.default.removeItem(at: data.appendingPathComponent(stored))
        }
        return (server, repo, root, targets)
    }

    @Test func refusals() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let repo = try Repo(timestampKey: try timestampKey(server))
        let root = try repo.root(), targets = try repo.targets()

        // Snapshot whose targets hash is not the uploaded targets.
        let otherTargets = try repo.targets(version: 1, expiresIn: 86400 * 200)
        var response = try publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: otherTargets))])
        #expect(response.status == 400 && detail(response).name == "ErrBadSnapshot", "\(response.bodyText)")
        // Expired targets.
        let expired = try repo.targets(expiresIn: -10)
        response = try publish(server, [("root", root), ("targets", expired), ("snapshot", try repo.snapshot(root: root, targets: expired))])
        #expect(detail(response).name == "ErrBadTargets" && detail(response).message?.contains("expired") == true, "\(response.bodyText)")
        // Expired root.
        let expiredRoot = try repo.root(expiresIn: -10)
        response = try publish(server, [("root", expiredRoot), ("targets", targets), ("snapshot", try repo.snapshot(root: expiredRoot, targets: targets))])
        #expect(detail(response).name == "ErrBadRoot", "\(response.bodyText)")
        // A root that does not list the server's timestamp key.
        let foreignRoot = try repo.root(timestamp: TUFKey(publicKey: try PrivateKey.generate(.ed25519).publicKey))
        response = try publish(server, [("root", foreignRoot), ("targets", targets), ("snapshot", try repo.snapshot(root: foreignRoot, targets: targets))])
        #expect(detail(response).name == "ErrBadRoot" && detail(response).message == "no timestamp keys exist on the server", "\(response.bodyText)")
        // A role sent twice.
        let twice = RawHTTP.multipart([("files", "targets", targets), ("files", "targets.json", targets)])
        response = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/\(Self.gun)/_trust/tuf/",
                                    headers: [("Content-Type", twice.contentType)], body: twice.body)
        #expect(Probe.errorCode(response.bodyText) == "VERSION")
        // Nothing was stored by any of these.
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/root.json").status == 404)

        // The valid publish; its timestamp is the server's.
        response = try publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))])
        #expect(response.status == 200 && response.body.isEmpty, "\(response.bodyText)")
        let timestamp = try MetadataFile.parse(try server.get("/v2/\(Self.gun)/_trust/tuf/timestamp.json").body, role: "timestamp")
        #expect(timestamp.signatures.map(\.keyID) == [repo.timestampKey.id])
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/targets.json").body == targets)

        // Root v2 signed only by a new root key (not by the v1 root key).
        let newRootKey = try PrivateKey.generate(.ecdsa)
        let rotated = try Repo(timestampKey: repo.timestampKey, rootKey: newRootKey)
        let unsigned = try rotated.root(version: 2)
        response = try publish(server, [("root", unsigned)])
        #expect(detail(response).name == "ErrBadRoot" && detail(response).message == "valid signatures did not meet threshold for root", "\(response.bodyText)")
        // Root v3 (skipping 2).
        response = try publish(server, [("root", try repo.root(version: 3))])
        #expect(detail(response).message == "Root modifications must increment the version. Current 1, new 3", "\(response.bodyText)")
        // A delegation its parent does not delegate.
        let delegationKey = try PrivateKey.generate(.ecdsa)
        let orphan = try repo.targets(role: "targets/qa", key: delegationKey)
        response = try publish(server, [("targets/qa", orphan), ("snapshot", try repo.snapshot(version: 2, root: root, targets: targets, extra: ["targets/qa": orphan]))])
        #expect(detail(response).name == "ErrBadTargets", "\(response.bodyText)")
        // Delegated properly in the same publish: accepted, and served under its name.
        let delegationTUFKey = TUFKey(publicKey: delegationKey.publicKey)
        let parent = try repo.targets(version: 2, delegations: Delegations(keys: [delegationTUFKey.id: delegationTUFKey],
                                                                          roles: [DelegatedRole(name: "targets/qa", keyIDs: [delegationTUFKey.id], threshold: 1, paths: [""])]))
        response = try publish(server, [("targets", parent), ("targets/qa", orphan),
                                        ("snapshot", try repo.snapshot(version: 2, root: root, targets: parent, extra: ["targets/qa": orphan]))])
        #expect(response.status == 200, "\(response.bodyText)")
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/targets/qa.json").body == orphan)
    }

    /// A delegation's parent is read from storage to find the delegation's keys. A stored parent
    /// that does not parse is the upload's problem to report (400 `ErrBadTargets`, naming it); a
    /// storage failure reading it is the storage's answer (500 `UNKNOWN` for a version file the
    /// manifest lists but that is gone, as `ErrorResponse` maps a corrupt store), not a 400 that
    /// tells the client its update is invalid.
    @Test(arguments: StoredDamage.allCases)
    func aStoredParentThatCannotBeReadIsNotTheUploadsFault(_ damage: StoredDamage) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let delegationKey = try PrivateKey.generate(.ecdsa)
        let delegationTUFKey = TUFKey(publicKey: delegationKey.publicKey)
        let (server, repo, root, parent) = try publishedWithDamagedTargets(damage, scratch: scratch) { repo in
            try repo.targets(delegations: Delegations(keys: [delegationTUFKey.id: delegationTUFKey],
                                                      roles: [DelegatedRole(name: "targets/qa", keyIDs: [delegationTUFKey.id], threshold: 1, paths: [""])]))
        }
        defer { server.stop() }
        let qa = try repo.targets(role: "targets/qa", key: delegationKey)
        let response = try publish(server, [("targets/qa", qa), ("snapshot", try repo.snapshot(version: 2, root: root, targets: parent, extra: ["targets/qa": qa]))])
        switch damage {
        case .unparsable:
            #expect(response.status == 400 && detail(response).name == "ErrBadTargets", "\(response.bodyText)")
            #expect(detail(response).message?.hasPrefix("stored targets is invalid: targets metadata is not valid JSON") == true, "\(response.bodyText)")
        case .missing:
            #expect(response.status == 500 && Probe.errorCode(response.bodyText) == "UNKNOWN", "\(response.status) \(response.bodyText)")
        }
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/targets/qa.json").status == 404, "nothing stored")
    }

    @Test func serverManagedSnapshot() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let gun = "example.com/validation/ssm"
        let repo = try Repo(timestampKey: try timestampKey(server, gun: gun), gun: gun)
        let snapshotKeyResponse = try server.get("/v2/\(gun)/_trust/tuf/snapshot.key")
        let serverSnapshotKey = try TUFKey(json: try JSONParser.parse(snapshotKeyResponse.body), context: "snapshot.key", role: nil)
        // Root listing the server's snapshot key: no snapshot upload needed.
        let targetsKey = TUFKey(publicKey: repo.targetsKey.publicKey)
        let rootSigned = Root(version: 1, expires: repo.now.adding(seconds: 86400 * 365 * 5),
                              keys: [repo.rootTUFKey.id: repo.rootTUFKey, targetsKey.id: targetsKey, serverSnapshotKey.id: serverSnapshotKey, repo.timestampKey.id: repo.timestampKey],
                              roles: ["root": RoleKeys(keyIDs: [repo.rootTUFKey.id], threshold: 1), "targets": RoleKeys(keyIDs: [targetsKey.id], threshold: 1),
                                      "snapshot": RoleKeys(keyIDs: [serverSnapshotKey.id], threshold: 1), "timestamp": RoleKeys(keyIDs: [repo.timestampKey.id], threshold: 1)])
        let root = try MetadataSigner.sign(rootSigned.json, with: [(repo.rootTUFKey, repo.rootKey)]).serialized()
        let targets = try repo.targets()
        var response = try publish(server, [("root", root), ("targets", targets)], gun: gun)
        #expect(response.status == 200, "\(response.bodyText)")
        let snapshotFile = try MetadataFile.parse(try server.get("/v2/\(gun)/_trust/tuf/snapshot.json").body, role: "snapshot")
        let snapshot = try Snapshot(signed: snapshotFile.signed)
        #expect(snapshot.version == 1 && snapshotFile.signatures.map(\.keyID) == [serverSnapshotKey.id])
        try snapshot.meta["targets"]!.check(targets, role: "targets", parent: "snapshot")
        try snapshot.meta["root"]!.check(root, role: "root", parent: "snapshot")
        // Next targets alone: the server signs snapshot v2 over it.
        let next = try repo.targets(version: 2, expiresIn: 86400 * 100)
        response = try publish(server, [("targets", next)], gun: gun)
        #expect(response.status == 200, "\(response.bodyText)")
        let second = try Snapshot(signed: MetadataFile.parse(try server.get("/v2/\(gun)/_trust/tuf/snapshot.json").body, role: "snapshot").signed)
        #expect(second.version == 2)
        try second.meta["targets"]!.check(next, role: "targets", parent: "snapshot")
        // An expired server-managed snapshot is re-signed on GET.
        server.clock.advance(days: 3 * 366)
        let renewed = try Snapshot(signed: MetadataFile.parse(try server.get("/v2/\(gun)/_trust/tuf/snapshot.json").body, role: "snapshot").signed)
        #expect(renewed.version == 3 && renewed.meta == second.meta)
    }
}
