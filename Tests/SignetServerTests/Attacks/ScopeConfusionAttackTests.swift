import Foundation
import Logging
import SignetCrypto
import SignetHTTP
@testable import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// Scope confusion through Unicode canonical equivalence (issue 9, hole 8): `café` spelled with
/// U+00E9 (NFC) and `cafe` + U+0301 (NFD) are two GUNs to storage (bytes), but one to Swift's
/// `String` `==`, `hasPrefix` and dictionary keys. A token, a policy rule or a GUN prefix granted
/// for one must not reach the other. No TUF/Notary advisory covers this (Go compares bytes); it
/// is the class of GHSA-fphv-w9fq-2525 (a name check and the name used disagreeing).
@Suite("Attack: scope confusion", .serialized) struct ScopeConfusionAttackTests {
    static let nfc = "example.com/team/caf\u{E9}"
    static let nfd = "example.com/team/cafe\u{301}"

    /// The GUN percent-encoded for a request target, as a client sends it.
    static func encoded(_ gun: String) -> String {
        gun.utf8.map { byte in
            (byte >= 0x21 && byte < 0x7F && byte != UInt8(ascii: "%")) ? String(UnicodeScalar(byte)) : String(format: "%%%02X", byte)
        }.joined()
    }

    static func keyRoute(_ gun: String) -> String { "/v2/\(encoded(gun))/_trust/tuf/timestamp.key" }

    @Test func theTwoSpellingsAreOneStringButTwoByteSequences() {
        #expect(Self.nfc == Self.nfd, "Swift equates them; that is why every check must compare bytes")
        #expect(!ExactName.equal(Self.nfc, Self.nfd))
        #expect(FileStore.gunID(Self.nfc) != FileStore.gunID(Self.nfd), "storage keeps them apart")
    }

    /// An external issuer's JWT for one spelling (push, pull) must not open the other: NFC/NFD,
    /// and an ASCII GUN against its twin with U+212A KELVIN SIGN, which Swift equates with `K`.
    @Test(arguments: [(nfc, nfd), ("example.com/team/K", "example.com/team/\u{212A}")])
    func externalTokenForOneSpellingDoesNotGrantTheOther(_ granted: String, _ twin: String) throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let issuer = try AuthTokenIssuer(directory: scratch.path)
        defer { issuer.stop() }
        var auth = AuthSettings()
        auth.token = AuthSettings.Token(realm: issuer.realm, service: issuer.service, issuer: issuer.issuer, keyFile: issuer.keyFile)
        let access = try AccessControl(settings: auth, tlsEnabled: false, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = try InProcessServer(storage: scratch.path + "/data") { $0.accessControl = access }
        defer { server.stop() }
        let token = try issuer.mint(subject: "ci", access: [("repository", granted, ["push", "pull"])])
        func status(_ gun: String) throws -> Int {
            try RawHTTP.send(port: server.port, method: "GET", target: Self.keyRoute(gun), headers: [("Authorization", "Bearer " + token)]).status
        }
        #expect(granted == twin, "Swift equates the two spellings")
        #expect(try status(granted) == 200)
        #expect(try status(twin) == 401, "a token for \(granted.debugDescription) granted push on \(twin.debugDescription)")
    }

    /// The built-in token service (htpasswd users, policy file): a policy rule for the NFC GUN,
    /// and the token the service issues for it, do not reach the NFD GUN, and its changefeed does
    /// not show the NFD GUN's changes.
    @Test func builtInTokenAndPolicyForOneSpellingDoNotGrantTheOther() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        guard RequiredTool.isInstalled("/usr/bin/htpasswd") else { return }
        try AuthFixture.htpasswd([("alice", "alice-secret"), ("bob", "bob-secret")], at: scratch.path + "/htpasswd")
        var auth = AuthSettings()
        auth.htpasswdFile = scratch.path + "/htpasswd"
        auth.policy = AccessPolicy(rules: [
            .init(identities: ["alice"], guns: [Self.nfc], actions: [.pull, .push]),
            .init(identities: ["bob"], guns: [Self.nfd], actions: [.all]),
        ])
        let access = try AccessControl(settings: auth, tlsEnabled: false, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = try InProcessServer(storage: scratch.path + "/data") { $0.accessControl = access }
        defer { server.stop() }

        let issued = try RawHTTP.send(port: server.port, method: "GET",
                                      target: "/_signet/token?service=signet&scope=repository:\(Self.encoded(Self.nfc)):push,pull",
                                      headers: [AuthFixture.basic("alice", "alice-secret")])
        let token = try #require(try JSONParser.parse(issued.body)["token"]?.stringValue, "\(issued.bodyText)")
        func status(_ gun: String, _ route: String? = nil) throws -> HTTPResponse {
            try RawHTTP.send(port: server.port, method: "GET", target: route ?? Self.keyRoute(gun), headers: [("Authorization", "Bearer " + token)])
        }
        #expect(try status(Self.nfc).status == 200)
        let nfd = try status(Self.nfd)
        #expect(nfd.status == 401)
        #expect(Probe.errorCode(nfd.bodyText) == "UNAUTHORIZED", "\(nfd.bodyText)")

        // bob's GUN gets a change record; alice, reading her own GUN's changefeed, must not see it.
        try server.trust.store.commit(gun: Self.nfd, updates: [MetadataUpdate(role: RoleName.timestamp, version: 1, bytes: Array("{}".utf8))])
        let feed = try status(Self.nfc, "/v2/\(Self.encoded(Self.nfc))/_trust/changefeed?records=10")
        #expect(feed.status == 200, "\(feed.bodyText)")
        #expect(try JSONParser.parse(feed.body)["count"]?.intValue == 0, "the NFC GUN's changefeed listed the NFD GUN's records: \(feed.bodyText)")
    }

    /// The store itself: the changefeed of one spelling holds only its own records.
    @Test func changefeedFiltersByBytes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let store = try FileStore(directory: scratch.path)
        try store.commit(gun: Self.nfd, updates: [MetadataUpdate(role: RoleName.timestamp, version: 1, bytes: Array("{}".utf8))])
        #expect(try store.changes(gun: Self.nfc, changeID: 0, records: 10).isEmpty)
        #expect(try store.changes(gun: Self.nfd, changeID: 0, records: 10).count == 1)
    }

    /// `gun_prefixes`: a prefix is a byte prefix. `example.com/team/café/` (NFC) does not admit
    /// `example.com/team/cafe\u{301}/app` (NFD).
    @Test func gunPrefixesAreBytePrefixes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data") { $0.gunPrefixes = [Self.nfc + "/"] }
        defer { server.stop() }
        #expect(try server.get(Self.keyRoute(Self.nfc + "/app")).status == 200)
        let nfd = try server.get(Self.keyRoute(Self.nfd + "/app"))
        #expect(nfd.status == 404, "an NFC GUN prefix admitted the NFD GUN")
        #expect(Probe.errorCode(nfd.bodyText) == "METADATA_NOT_FOUND", "\(nfd.bodyText)")
    }

    /// Policy identities are compared as bytes too.
    @Test func policyIdentitiesAreComparedAsBytes() {
        let policy = AccessPolicy(rules: [.init(identities: ["jos\u{E9}"], guns: ["*"], actions: [.all])])
        #expect(policy.actions(for: "jos\u{E9}", gun: Self.nfc) == [.all])
        #expect(policy.actions(for: "jose\u{301}", gun: Self.nfc).isEmpty)
    }
}
