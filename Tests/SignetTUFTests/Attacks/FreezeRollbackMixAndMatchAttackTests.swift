import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: freeze. A network attacker or a compromised mirror keeps serving a collection that was
/// validly signed once, so clients never see a newer tag or a revocation. Every role carries an
/// `expires` that the client judges (TUF 1.0 §5.3.10, §5.4.5, §5.5.6; Notary's
/// `ErrExpired`): validly signed but expired metadata is refused, naming the role.
@Suite("Attack: freeze") struct FreezeAttackTests {
    static let past = TUFTime(Date().addingTimeInterval(-60))

    @Test func anExpiredButValidlySignedTimestampIsRefused() throws {
        var collection = try TestCollection()
        collection.expires = Self.past
        let error = try #require(throws: TUFError.self) { try collection.update(try collection.files()) }
        #expect(error.code == .expired)
        #expect(error.role == RoleName.timestamp)
    }

    @Test func anExpiredTargetsRoleIsRefusedUnderAFreshTimestamp() throws {
        var collection = try TestCollection()
        collection.targets.expires = Self.past
        let error = try #require(throws: TUFError.self) { try collection.update(try collection.files()) }
        #expect(error.code == .expired)
        #expect(error.role == RoleName.targets)
    }
}

/// Attack: rollback. An attacker replays older metadata, validly signed and not yet expired, to
/// bring back a tag that was since changed or removed. The client keeps the highest version it
/// has trusted for every role and refuses anything lower (TUF 1.0 §5.3.5, §5.4.3, §5.5.5;
/// Notary's `ErrLowVersion`; the class of python-tuf's and go-tuf's rollback advisories).
@Suite("Attack: rollback") struct RollbackAttackTests {
    @Test func anOlderTimestampThanTrustedIsRefused() throws {
        let collection = try TestCollection()
        let files = try collection.files(snapshotVersion: 3, timestampVersion: 3)
        let error = try #require(throws: TUFError.self) { try collection.update(files, minimumVersions: [RoleName.timestamp: 4]) }
        #expect(error.code == .rollback)
        #expect(error.role == RoleName.timestamp)
    }

    @Test func anOlderTargetsThanTrustedIsRefusedEvenWhenTheSnapshotListsIt() throws {
        var collection = try TestCollection()
        collection.targets.version = 2
        let files = try collection.files(snapshotVersion: 5, timestampVersion: 5)
        let error = try #require(throws: TUFError.self) { try collection.update(files, minimumVersions: [RoleName.targets: 3]) }
        #expect(error.code == .rollback)
        #expect(error.role == RoleName.targets)
    }

    @Test func theTrustedVersionItselfIsAccepted() throws {
        var collection = try TestCollection()
        collection.targets.version = 3
        let files = try collection.files(snapshotVersion: 5, timestampVersion: 5)
        let verified = try collection.update(files, minimumVersions: [RoleName.targets: 3, RoleName.snapshot: 5, RoleName.timestamp: 5])
        #expect(verified.lookup("1.0") != nil)
    }
}

/// Attack: mix-and-match. An attacker combines files that were each validly signed, but never
/// together: a targets file of another version than the snapshot lists, or a snapshot of
/// another collection. Every file must match the length and hashes its parent lists, and be
/// signed by the keys this collection's root names (TUF 1.0 §5.5.2; Notary's snapshot check).
@Suite("Attack: mix-and-match") struct MixAndMatchAttackTests {
    @Test func aValidlySignedTargetsOfAnotherVersionIsRefused() throws {
        var collection = try TestCollection()
        let files = try collection.files()
        collection.targets.version = 2
        collection.targets.targets["1.0"] = FileMeta(length: 1, hashes: ["sha256": Digest.sha256(Array("other".utf8))])
        var mixed = files
        mixed["targets.json"] = try collection.files()["targets.json"]
        let error = try #require(throws: TUFError.self) { try collection.update(mixed) }
        #expect(error.code == .hashMismatch || error.code == .tooLarge)
        #expect(error.role == RoleName.targets)
    }

    @Test func aSnapshotAndTimestampOfAnotherCollectionAreRefused() throws {
        let collection = try TestCollection()
        let other = try TestCollection(gun: collection.gun)
        var mixed = try collection.files()
        let otherFiles = try other.files()
        mixed["timestamp.json"] = otherFiles["timestamp.json"]
        mixed["snapshot.json"] = otherFiles["snapshot.json"]
        let error = try #require(throws: TUFError.self) { try collection.update(mixed) }
        #expect(error.code == .threshold)
        #expect(error.role == RoleName.timestamp)
    }
}
