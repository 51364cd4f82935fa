import Foundation
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// Key-identity confusion and certificate-bundle confusion at publish time, over a real socket:
/// - a publisher lists one P-256 key three times in targets (uncompressed, compressed, explicit
///   parameters), threshold 3, and signs once per key ID with the one private key — refused with
///   Notary's `ErrBadTargets` (GHSA-pwqf-9h7j-7mv8: a threshold met by one key under several IDs);
/// - a root key whose certificate bundle holds two leaf certificates (attacker's first) — refused
///   with `ErrBadRoot`, as Notary's `parseAllCerts` ignores such a key.
@Suite("Attack: key-identity confusion (publish)")
struct KeyIdentityPublishAttackTests {
    static let gun = "example.com/identity/app"
    typealias Validation = PublishValidationTests

    /// One key in three SPKI encodings: its own, and openssl's compressed and explicit-curve ones.
    static func encodings(of key: PublicKey) throws -> [[UInt8]] {
        let encodings = try ECKeyEncodings.of(publicKeyPEM: key.pem())
        return [key.spkiDER, encodings["compressed"]!, encodings["explicit"]!]
    }

    /// Root v1 for `gun` with `rootKey` as the root key and `targetsKeys` (threshold) for targets.
    static func root(_ repo: Validation.Repo, rootKey: TUFKey, rootSigner: PrivateKey, targetsKeys: [TUFKey], threshold: Int64) throws -> [UInt8] {
        let snapshot = TUFKey(publicKey: repo.snapshotKey.publicKey)
        var keys = [rootKey.id: rootKey, snapshot.id: snapshot, repo.timestampKey.id: repo.timestampKey]
        for key in targetsKeys { keys[key.id] = key }
        let root = Root(version: 1, expires: repo.now.adding(seconds: 86400 * 300), keys: keys,
                        roles: ["root": RoleKeys(keyIDs: [rootKey.id], threshold: 1),
                                "targets": RoleKeys(keyIDs: targetsKeys.map(\.id), threshold: threshold),
                                "snapshot": RoleKeys(keyIDs: [snapshot.id], threshold: 1),
                                "timestamp": RoleKeys(keyIDs: [repo.timestampKey.id], threshold: 1)])
        return try MetadataSigner.sign(root.json, with: [(rootKey, rootSigner)]).serialized()
    }

    @Test func oneKeyInThreeEncodingsDoesNotMeetTargetsThresholdThree() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let validation = Validation()
        let repo = try Validation.Repo(timestampKey: try validation.timestampKey(server, gun: Self.gun), gun: Self.gun)
        let keys = try Self.encodings(of: repo.targetsKey.publicKey).map { TUFKey(keyType: "ecdsa", publicBase64: Data($0).base64EncodedString()) }
        #expect(Set(keys.map(\.id)).count == 3)
        let root = try Self.root(repo, rootKey: repo.rootTUFKey, rootSigner: repo.rootKey, targetsKeys: keys, threshold: 3)
        let targetsValue = Targets(version: 1, expires: repo.now.adding(seconds: 86400 * 300), targets: ["latest": FileMeta(describing: Array("evil".utf8))])
        let targets = try MetadataSigner.sign(targetsValue.json, with: keys.map { ($0, repo.targetsKey) }).serialized()
        let response = try validation.publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))], gun: Self.gun)
        #expect(response.status == 400, "\(response.bodyText)")
        #expect(validation.detail(response).name == "ErrBadTargets", "\(response.bodyText)")
        #expect(validation.detail(response).message == "valid signatures did not meet threshold for targets", "\(response.bodyText)")
        #expect(try server.get("/v2/\(Self.gun)/_trust/tuf/root.json").status == 404, "nothing stored")
    }

    @Test func rootKeyBundleWithTwoLeavesIsRefused() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let validation = Validation()
        let repo = try Validation.Repo(timestampKey: try validation.timestampKey(server, gun: Self.gun), gun: Self.gun)
        let victim = try Certificate.selfSigned(commonName: Self.gun, key: try PrivateKey.generate(.ecdsa), notBefore: Date().addingTimeInterval(-60),
                                                notAfter: Date().addingTimeInterval(86400 * 365))
        let attacker = try repo.rootTUFKey.leafCertificate()
        let bundle = TUFKey(keyType: "ecdsa-x509", publicBase64: Data((attacker.pem() + victim.pem()).utf8).base64EncodedString())
        let root = try Self.root(repo, rootKey: bundle, rootSigner: repo.rootKey, targetsKeys: [TUFKey(publicKey: repo.targetsKey.publicKey)], threshold: 1)
        let targets = try repo.targets()
        let response = try validation.publish(server, [("root", root), ("targets", targets), ("snapshot", try repo.snapshot(root: root, targets: targets))], gun: Self.gun)
        #expect(response.status == 400, "\(response.bodyText)")
        #expect(validation.detail(response).name == "ErrBadRoot", "\(response.bodyText)")
        #expect(validation.detail(response).message?.contains("more than one leaf certificate") == true, "\(response.bodyText)")
    }
}
