import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: integer overflow. Metadata whose `version` sits at the top of `Int64` made the next
/// `version + 1` trap (SIGILL) — in `signet serve` for every collection (issue 9, hole 3), and in
/// the client when it re-signs a role it fetched. Versions are bounded on parse by one documented
/// maximum (2^31 − 1, Notary's SQL `version` column), and every "next version" is checked.
/// There is no TUF advisory for it; python-tuf and go-tuf keep Python ints / Go ints.
@Suite("Attack: integer overflow") struct IntegerOverflowAttackTests {
    static let maximum: Int64 = 2_147_483_647

    @Test(arguments: ["timestamp", "snapshot", "targets", "root"])
    func aVersionOverTheMaximumIsRefusedOnTheClient(role: String) throws {
        var collection = try TestCollection()
        var snapshotVersion: Int64 = 1, timestampVersion: Int64 = 1
        switch role {
        case "timestamp": timestampVersion = Int64.max
        case "snapshot": snapshotVersion = Int64.max
        case "targets": collection.targets.version = Int64.max
        default: collection.root.version = Int64.max
        }
        let files = try collection.files(snapshotVersion: snapshotVersion, timestampVersion: timestampVersion)
        let error = try #require(throws: TUFError.self) { try collection.update(files) }
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.role == role)
        #expect(error.message.contains("\(role) has version 9223372036854775807, over the maximum 2147483647"), "\(error.message)")
    }

    @Test func theMaximumItselfIsAccepted() throws {
        var collection = try TestCollection()
        collection.targets.version = Self.maximum
        let files = try collection.files(snapshotVersion: Self.maximum, timestampVersion: Self.maximum)
        let verified = try collection.update(files)
        #expect(verified.snapshot.version == Self.maximum)
    }

    /// A role at the maximum cannot be re-signed: the editor says so instead of writing version
    /// 2^31 (which every client would refuse) or trapping at `Int64.max`.
    @Test func theEditorRefusesToStepPastTheMaximum() throws {
        var collection = try TestCollection()
        collection.targets.version = Self.maximum
        collection.root.version = Self.maximum
        let rootFile = try MetadataSigner.sign(collection.root.json, with: collection.rootSigners)
        let snapshot = Snapshot(version: Self.maximum, expires: collection.expires, meta: [:])
        var editor = RepositoryEditor(gun: collection.gun, root: collection.root, rootFile: rootFile,
                                      targets: [RoleName.targets: collection.targets], files: [:], snapshot: snapshot, isNew: false)
        let (targetsKey, targetsPrivate) = collection.roleKeys[RoleName.targets]!
        let (snapshotKey, snapshotPrivate) = collection.roleKeys[RoleName.snapshot]!
        let targetsError = try #require(throws: TUFError.self) {
            try editor.signTargets(RoleName.targets, with: [RoleSigner(key: targetsKey, privateKey: targetsPrivate)], now: collection.now)
        }
        #expect(targetsError.code == .tooLarge && targetsError.role == RoleName.targets, "\(targetsError)")
        #expect(targetsError.message.contains("2147483647"), "\(targetsError.message)")
        let snapshotError = try #require(throws: TUFError.self) {
            try editor.signSnapshot(with: [RoleSigner(key: snapshotKey, privateKey: snapshotPrivate)], now: collection.now)
        }
        #expect(snapshotError.code == .tooLarge && snapshotError.role == RoleName.snapshot, "\(snapshotError)")
        let rootError = try #require(throws: TUFError.self) {
            try editor.signRoot(with: [RoleSigner(key: collection.rootTUFKey, privateKey: collection.rootKey)], now: collection.now)
        }
        #expect(rootError.code == .tooLarge && rootError.role == RoleName.root, "\(rootError)")
        // Nothing was changed by the refusals.
        #expect(editor.targets[RoleName.targets]?.version == Self.maximum)
        #expect(editor.snapshot?.version == Self.maximum)
        #expect(editor.root.version == Self.maximum)
    }

    /// The expiry arithmetic cannot overflow either: the latest instant RFC 3339 can write plus the
    /// longest default lifetime is still an `Int64` of seconds.
    @Test func expiryArithmeticOnTheLatestInstantDoesNotTrap() throws {
        let latest = try TUFTime(rfc3339: "9999-12-31T23:59:59.999999999Z")
        let later = latest.adding(seconds: Expiry.rootSeconds)
        #expect(later > latest)
        let earliest = try TUFTime(rfc3339: "0000-01-01T00:00:00Z")
        #expect(earliest < latest)
    }
}
