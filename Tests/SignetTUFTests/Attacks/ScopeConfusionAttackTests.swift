import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Scope confusion in the TUF layer through Unicode canonical equivalence (issue 9, hole 8):
/// a root certificate's CN, a delegation's `paths` and a target lookup must compare bytes, as
/// Notary's Go code does, never Swift `String` equivalence. Otherwise a root made for
/// `…/café` (NFC) is trusted for `…/cafe\u{301}` (NFD), a delegation limited to `é` signs
/// `e\u{301}…`, and `verify GUN:cafe\u{301}` answers the digest of the tag `café`.
@Suite("Attack: scope confusion (TUF)") struct TUFScopeConfusionAttackTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    @Test func rootCertificateCNMatchesTheGUNAsBytes() throws {
        let key = try PrivateKey.generate(.ecdsa)
        let certificate = try Certificate.selfSigned(commonName: "example.com/team/" + Self.nfc, key: key,
                                                     notBefore: Date().addingTimeInterval(-60), notAfter: Date().addingTimeInterval(86400))
        let now = TUFTime(Date())
        #expect(RootRules.problem(with: certificate, gun: "example.com/team/" + Self.nfc, at: now) == nil)
        let problem = RootRules.problem(with: certificate, gun: "example.com/team/" + Self.nfd, at: now)
        #expect(problem?.contains("does not match the GUN") == true, "a root for the NFC GUN was valid for the NFD GUN")
        let wildcard = try Certificate.selfSigned(commonName: "example.com/team/caf\u{E9}*", key: key,
                                                  notBefore: Date().addingTimeInterval(-60), notAfter: Date().addingTimeInterval(86400))
        #expect(RootRules.problem(with: wildcard, gun: "example.com/team/" + Self.nfc + "/app", at: now) == nil)
        #expect(RootRules.problem(with: wildcard, gun: "example.com/team/" + Self.nfd + "/app", at: now) != nil)
    }

    @Test func delegationPathsAreBytePrefixes() {
        let role = DelegatedRole(name: "targets/releases", keyIDs: [], threshold: 1, paths: [Self.nfc])
        #expect(role.covers(Self.nfc + "-1.0"))
        #expect(!role.covers(Self.nfd + "-1.0"), "a delegation for paths \(Self.nfc) (NFC) signed an NFD name")
        // And the other way: "cafe" is a byte prefix of the NFD spelling (Go agrees), though not
        // a Character prefix.
        #expect(DelegatedRole(name: "targets/a", keyIDs: [], threshold: 1, paths: ["cafe"]).covers(Self.nfd))
    }

    @Test func lookupIsByteExact() throws {
        var collection = try TestCollection()
        collection.targets.targets = [Self.nfc: FileMeta(length: 1, hashes: ["sha256": Digest.sha256(Array("nfc".utf8))])]
        let verified = try collection.update(try collection.files())
        #expect(verified.lookup(Self.nfc) != nil)
        #expect(verified.lookup(Self.nfd) == nil, "verify of the NFD tag answered the NFC tag's digest")
    }

    @Test func editorKeepsEquivalentNamesApart() throws {
        let collection = try TestCollection()
        let files = try collection.files()
        var editor = RepositoryEditor(gun: collection.gun, root: collection.root,
                                      rootFile: try MetadataFile.parse(files["root.json"]!, role: RoleName.root),
                                      targets: [RoleName.targets: collection.targets], files: [:], snapshot: nil, isNew: false)
        let meta = FileMeta(length: 1, hashes: ["sha256": Digest.sha256(Array("x".utf8))])
        try editor.addTarget(Self.nfc, meta: meta, role: RoleName.targets, now: collection.now)
        // Removing the NFD spelling does not remove the NFC target: targets does not hold the NFD
        // name, so the removal is refused; forced, it still leaves the NFC target alone.
        #expect { try editor.removeTarget(Self.nfd, role: RoleName.targets, now: collection.now) } throws: { error in
            (error as? TUFError)?.code == .notFound
        }
        try editor.removeTarget(Self.nfd, role: RoleName.targets, now: collection.now, force: true)
        #expect(editor.targets[RoleName.targets]?.targets.keys.contains { ExactName.equal($0, Self.nfc) } == true)
        // Adding the NFD spelling is refused rather than silently replacing the NFC target.
        #expect { try editor.addTarget(Self.nfd, meta: meta, role: RoleName.targets, now: collection.now) } throws: { error in
            (error as? TUFError)?.code == .invalidName && "\(error)".contains("only by Unicode normalisation")
        }
    }

    /// Every target name in the shared fixtures passes the target-name rule.
    @Test func fixtureTargetNamesAreValid() throws {
        var count = 0
        for url in Fixtures.metadataFiles(below: Fixtures.root) {
            guard let bytes = try? Fixtures.bytes(url), let value = try? JSONParser.parse(bytes),
                  let targets = value["signed"]?["targets"]?.objectValue else { continue }
            for name in targets.keys {
                count += 1
                #expect(TargetName.isValid(name), "\(url.path): \(name.debugDescription)")
            }
        }
        #expect(count > 50)
    }
}
