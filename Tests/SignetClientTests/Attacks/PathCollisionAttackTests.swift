import Foundation
@testable import SignetClient
import SignetTUF
import Testing

/// Path collision in the trust dir (issue 9, hole 9). Notary's layout `tuf/<GUN>/metadata/<role>.json`
/// nests GUN segments and role segments alike, so a publisher of GUN `X` who names a delegation
/// `targets/releases/metadata/root` gets it cached onto the trusted root of GUN
/// `X/metadata/targets/releases` — replacing another collection's trust anchor (the trust-on-first-use
/// pin). Notary 0.7 has the same flaw; it is the path-confusion class of CVE-2021-41131
/// (python-tuf, role names used as paths).
@Suite("Attack: path collision") struct PathCollisionAttackTests {
    static let gun = "example.com/team/app"
    static let nested = "example.com/team/app/metadata/targets/releases"
    static let hostileRole = "targets/releases/metadata/root"

    func scratch() -> TrustDirectory {
        TrustDirectory(url: FileManager.default.temporaryDirectory.appendingPathComponent("pc-\(UUID().uuidString)"))
    }

    /// The hostile delegation is a valid role name (Notary's rule), so the defence is the GUN.
    @Test func aDelegationCannotOverwriteAnotherCollectionsRoot() throws {
        let trustDir = scratch()
        defer { try? FileManager.default.removeItem(at: trustDir.url) }
        try RoleName.validate(Self.hostileRole)
        let victimRoot = Array("victim root".utf8)
        do {
            // On Notary's layout both writes succeed and the second replaces the first.
            try trustDir.cacheMetadata(Self.nested, role: RoleName.root, bytes: victimRoot)
        } catch let error as TUFError {
            #expect(error.code == .invalidName)
            #expect(error.message.contains("has a path segment \"metadata\""), "\(error.message)")
        }
        try trustDir.cacheMetadata(Self.gun, role: Self.hostileRole, bytes: Array("attacker".utf8))
        let root = try? trustDir.cachedMetadata(Self.nested, role: RoleName.root)
        #expect(root == nil || root == victimRoot, "GUN \(Self.gun)'s delegation overwrote the root of \(Self.nested)")
        // And the nested GUN is refused outright, for reading too, naming the reason.
        let nestedRead = #expect(throws: TUFError.self) { try trustDir.cachedMetadata(Self.nested, role: RoleName.root) }
        #expect(nestedRead?.code == .invalidName)
        #expect(nestedRead?.message.contains("has a path segment \"metadata\"") == true, "\(String(describing: nestedRead))")
        let changelist = #expect(throws: TUFError.self) { try trustDir.changelistDirectory("example.com/team/app/changelist/x") }
        #expect(changelist?.code == .invalidName)
        #expect(changelist?.message.contains("has a path segment \"changelist\"") == true, "\(String(describing: changelist))")
    }

    /// Every GUN segment after the first that repeats one of the collection's own directory
    /// names is refused; GUNs that merely contain the word, or start with it, are fine.
    @Test(arguments: [
        ("example.com/team/app/metadata/targets", false), ("example.com/metadata", false), ("example.com/a/changelist", false),
        ("example.com/team/metadata-service", true), ("metadata/app", true), ("example.com/Metadata", true), ("docker.io/library/alpine", true),
    ])
    func reservedSegments(_ gun: String, _ accepted: Bool) throws {
        let trustDir = scratch()
        #expect(((try? trustDir.collectionDirectory(gun)) != nil) == accepted, "\(gun)")
    }

    /// No two accepted (GUN, role) pairs name one file: enumerate GUNs and roles built from the
    /// segments an attacker would use and compare every cached path.
    @Test func noTwoPairsShareAFile() throws {
        let trustDir = scratch()
        let segments = ["metadata", "changelist", "targets", "releases", "root", "a"]
        var guns = ["x"]
        for first in segments { guns.append("x/\(first)"); for second in segments { guns.append("x/\(first)/\(second)") } }
        var roles = [RoleName.root, RoleName.targets, RoleName.snapshot, RoleName.timestamp]
        for first in segments { roles.append("targets/\(first)"); for second in segments { roles.append("targets/\(first)/\(second)") } }
        var seen: [String: String] = [:]
        for gun in guns {
            guard let directory = try? trustDir.metadataDirectory(gun) else { continue }
            for role in roles {
                let path = directory.appendingPathComponent(role + ".json").standardizedFileURL.path
                if let other = seen[path] { Issue.record("\(gun) \(role) and \(other) share \(path)") }
                seen[path] = "\(gun) \(role)"
            }
        }
        #expect(seen.count > 100)
    }

    /// Deleting a collection leaves the collections of GUNs below it alone (Notary removes all of
    /// `tuf/<GUN>`, the nested GUNs' caches and staged changes included).
    @Test func deletingACollectionKeepsNestedCollections() throws {
        let trustDir = scratch()
        defer { try? FileManager.default.removeItem(at: trustDir.url) }
        try trustDir.cacheMetadata("example.com/team", role: RoleName.root, bytes: Array("parent".utf8))
        try trustDir.cacheMetadata(Self.gun, role: RoleName.root, bytes: Array("child".utf8))
        try trustDir.deleteCollection("example.com/team")
        #expect(try trustDir.cachedMetadata("example.com/team", role: RoleName.root) == nil)
        #expect(try trustDir.cachedMetadata(Self.gun, role: RoleName.root) == Array("child".utf8))
        try trustDir.deleteCollection(Self.gun)
        #expect(!FileManager.default.fileExists(atPath: trustDir.url.appendingPathComponent("tuf/example.com/team/app").path))
    }
}
