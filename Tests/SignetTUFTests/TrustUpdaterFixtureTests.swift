import Foundation
import SignetCrypto
import SignetTUF
import Testing

@Suite struct TrustUpdaterFixtureTests {
    static let alpineDigest = "7043076348bf5040220df6ad703798fd8593a0918d06d3ce30c6c93be117e430"

    @Test func dockerHubAlpineVerifiesAtItsTime() throws {
        let collection = try TrustUpdater(gun: "docker.io/library/alpine", now: Fixtures.alpineInstant)
            .update(from: try MemoryFetcher(directory: Fixtures.alpine))
        let match = try #require(collection.lookup("3.8"))
        #expect(match.meta.sha256Hex == Self.alpineDigest)
        #expect(match.meta.length == 2029)
        #expect(collection.lookup("latest")?.meta.sha256Hex == Self.alpineDigest)
    }

    @Test func dockerHubAlpineIsExpiredNow() throws {
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: "docker.io/library/alpine", now: TUFTime(Date())).update(from: try MemoryFetcher(directory: Fixtures.alpine))
        }
        #expect(error.code == .expired)
        #expect(error.role == "timestamp")
        #expect(error.message.contains("2018-08-03T15:48:41.776179945Z"))
    }

    @Test func wrongGUNIsRefused() throws {
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: "docker.io/library/busybox", now: Fixtures.alpineInstant).update(from: try MemoryFetcher(directory: Fixtures.alpine))
        }
        #expect(error.code == .untrustedRoot)
        #expect(error.message.contains("does not match the GUN"))
    }

    /// Every single changed byte in any of the four files makes verification fail with an error
    /// that names a role.
    @Test func everyChangedByteIsRefused() throws {
        let original = try MemoryFetcher(directory: Fixtures.alpine)
        let updater = TrustUpdater(gun: "docker.io/library/alpine", now: Fixtures.alpineInstant)
        var checked = 0
        for name in ["root.json", "timestamp.json", "snapshot.json", "targets.json"] {
            let bytes = original.files[name]!
            for position in bytes.indices {
                for flip: UInt8 in [0x01, 0x20] {
                    var tampered = original
                    var changed = bytes
                    changed[position] ^= flip
                    tampered.files[name] = changed
                    do {
                        _ = try updater.update(from: tampered)
                        Issue.record("\(name) with byte \(position) ^ \(flip) verified")
                    } catch let error as TUFError {
                        #expect(error.role != nil || error.code == .malformed, "\(name)@\(position): \(error)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 9000)
    }

    @Test func notary07EveryStageVerifiesInItsChain() throws {
        for (gun, stages) in [("example.com/library/app", Fixtures.appStages), ("example.com/library/app-ssm", Fixtures.ssmStages)] {
            let names = try FileManager.default.contentsOfDirectory(atPath: stages.path).sorted()
            #expect(names.count >= 3)
            var trustedRoot: [UInt8]? = nil
            var versions: [String: Int64] = [:]
            for name in names {
                let fetcher = try MemoryFetcher(directory: stages.appendingPathComponent(name))
                let collection = try TrustUpdater(gun: gun, now: Fixtures.notary07Instant, trustedRoot: trustedRoot, minimumVersions: versions)
                    .update(from: fetcher)
                // Each stage is verified from the previous stage's trusted root: rotations are followed.
                trustedRoot = collection.rootBytes
                versions = [
                    "timestamp": collection.timestamp.version, "snapshot": collection.snapshot.version,
                    "targets": collection.targets["targets"]!.version,
                ]
                if name.hasPrefix("04") || name.hasPrefix("05") {
                    #expect(collection.lookup("release-1.0")?.role == "targets/releases", "\(name)")
                }
            }
        }
    }

    @Test func rootRotationIsFollowedFromVersionOne() throws {
        let stage = Fixtures.appStages.appendingPathComponent("08-removed-and-witnessed")
        let fetcher = try MemoryFetcher(directory: stage)
        let first = fetcher.files["1.root.json"]!
        let collection = try TrustUpdater(gun: "example.com/library/app", now: Fixtures.notary07Instant, trustedRoot: first).update(from: fetcher)
        #expect(collection.root.version == 4)
        #expect(collection.rootVersionsWalked == [2, 3, 4])
    }

    @Test func brokenRotationChainIsRefused() throws {
        let stage = Fixtures.appStages.appendingPathComponent("08-removed-and-witnessed")
        var fetcher = try MemoryFetcher(directory: stage)
        let first = fetcher.files["1.root.json"]!
        fetcher.files["2.root.json"] = nil
        let error = #expect(throws: TUFError.self) {
            try TrustUpdater(gun: "example.com/library/app", now: Fixtures.notary07Instant, trustedRoot: first).update(from: fetcher)
        }
        #expect(error?.code == .untrustedRoot)
        #expect(error?.message.contains("cannot follow the root rotation") == true && error?.message.contains("2.root.json not found") == true,
                "\(String(describing: error))")
    }

    @Test func notary01SampleRepoListsLicense() throws {
        let collection = try TrustUpdater(gun: "docker.com/notary0.1/samplerepo", now: TUFTime(Date()))
            .update(from: try MemoryFetcher(directory: Fixtures.sampleRepo))
        let license = try #require(collection.lookup("LICENSE"))
        #expect(license.meta.sha256Hex == "9395bac6fccb26bcb55efb083d1b4b0fe72a1c25f959f056c016120b3bb56a62")
        #expect(license.meta.length == 11309)
    }

    @Test func serverHeldEd25519KeysVerify() throws {
        let stage = Fixtures.appStages.appendingPathComponent("07-rotated-timestamp")
        let fetcher = try MemoryFetcher(directory: stage)
        let collection = try TrustUpdater(gun: "example.com/library/app", now: Fixtures.notary07Instant).update(from: fetcher)
        let timestampKeys = try collection.root.roleKeys("timestamp").keys
        #expect(timestampKeys.values.allSatisfy { $0.keyType == "ed25519" })
    }

    @Test func keyIDsMatchNotary() throws {
        let bytes = try Fixtures.bytes(Fixtures.alpine.appendingPathComponent("root.json"))
        let root = try Root(signed: try MetadataFile.parse(bytes, role: "root").signed)
        for (id, key) in root.keys { #expect(key.id == id) }
        let keyFile = Fixtures.notary07.appendingPathComponent("metadata/example.com_library_app/01-initial/timestamp.key")
        let keyJSON = try JSONParser.parse(try Fixtures.bytes(keyFile))
        let key = try TUFKey(json: keyJSON, context: "timestamp.key", role: nil)
        let stageRoot = try Root(signed: try MetadataFile.parse(try Fixtures.bytes(Fixtures.appStages.appendingPathComponent("01-initial/root.json")), role: "root").signed)
        #expect(stageRoot.keys[key.id] != nil)
    }
}
