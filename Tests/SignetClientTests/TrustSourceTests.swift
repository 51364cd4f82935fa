import Foundation
import SignetClient
import SignetCrypto
import SignetTUF
import Testing

/// The read commands' one entry point (`Verify/TrustSource.swift`) and root-pin loading
/// (`Verify/RootPin+Files.swift`), offline over Docker Hub's real alpine trust data.
@Suite struct TrustSourceTests {
    static let alpine = "/work/shared/fixtures/dockerhub-alpine"
    static let gun = "docker.io/library/alpine"
    static let digest = "7043076348bf5040220df6ad703798fd8593a0918d06d3ce30c6c93be117e430"
    static let rootKeyID = "a2489bcac7a79aa67b19b96c4a3bf0c675ffdf00c6d2fabe1a5df1115e80adce"
    static let before = try! TUFTime(rfc3339: "2018-07-25T00:00:00Z")

    @Test func offlineFromADirectoryIsTheVerifiedUpdate() throws {
        let collection = try TrustSource.directory(path: Self.alpine).load(gun: Self.gun, pin: nil, now: Self.before)
        let match = try #require(collection.lookup("3.8"))
        #expect(match.meta.hashes["sha256"].map { Hex.encode($0) } == Self.digest)
        // Judged at now, the same data is refused: the timestamp expired in 2018.
        let error = try #require(throws: TUFError.self) {
            try TrustSource.directory(path: Self.alpine).load(gun: Self.gun, pin: nil, now: TUFTime(Date()))
        }
        #expect(error.code == .expired && error.message.contains("timestamp expired"), "\(error.message)")
    }

    @Test func aPinIsCheckedAgainstTheRoot() throws {
        let pinned = try RootPin.load(keyID: Self.rootKeyID.uppercased(), certificateFile: nil, keyFile: nil)
        #expect(try TrustSource.directory(path: Self.alpine).load(gun: Self.gun, pin: pinned, now: Self.before).lookup("3.8") != nil)
        let other = try RootPin.load(keyID: String(repeating: "ab", count: 32), certificateFile: nil, keyFile: nil)
        let error = try #require(throws: TUFError.self) {
            try TrustSource.directory(path: Self.alpine).load(gun: Self.gun, pin: other, now: Self.before)
        }
        #expect(error.code == .untrustedRoot && error.message.contains("does not match the pinned"), "\(error.message)")
        #expect(try RootPin.load(keyID: nil, certificateFile: nil, keyFile: nil) == nil)
    }

    @Test func badInputsAreUsageErrorsNamingTheFile() throws {
        let notDirectory = try #require(throws: ClientError.self) { try TrustSource.directory(path: Self.alpine + "/root.json") }
        #expect(notDirectory.code == .usage && notDirectory.message.contains("root.json is not a directory"))
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("signet-pin-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try Data("not a key\n".utf8).write(to: scratch)
        let badKey = try #require(throws: ClientError.self) { try RootPin.load(keyID: nil, certificateFile: nil, keyFile: scratch.path) }
        #expect(badKey.code == .usage && badKey.message.contains("\(scratch.path) is not a PEM public key or certificate"), "\(badKey.message)")
        let badCertificate = try #require(throws: ClientError.self) { try RootPin.load(keyID: nil, certificateFile: scratch.path, keyFile: nil) }
        #expect(badCertificate.code == .usage && badCertificate.message.contains(scratch.path), "\(badCertificate.message)")
    }
}
