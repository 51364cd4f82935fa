import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// Attack: endless data, through the root chain. A hostile server offers a long chain of root
/// versions, each validly signed and padded towards the 5 MiB per-file limit; the client used to
/// walk up to 1000 of them and keep every one in memory (220 × 5 MiB took 1.1 GB of RSS, issue 9
/// hole 6). The walk now keeps one version at a time, stops at `MetadataLimits.maxRootRotations`
/// new versions (python-tuf's `max_root_rotations`, 256) and at `MetadataLimits.maxRootChainBytes`
/// of root metadata per update. Mirrors the "endless data" attack of the TUF spec (§1.5.2) and the
/// unbounded-download class of CVE-2021-41131's neighbours in go-tuf / python-tuf.
@Suite("Attack: endless data") struct EndlessDataAttackTests {
    /// A fetcher that counts what it was asked for.
    final class CountingFetcher: MetadataFetcher, @unchecked Sendable {
        // @unchecked Sendable: used from one test thread only.
        var inner: MemoryFetcher
        var requests: [String] = []
        init(_ inner: MemoryFetcher) { self.inner = inner }
        func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
            requests.append(request.fileName)
            return try inner.fetch(request)
        }
    }

    /// Files of a collection whose root went from v1 to v`latest`, every root signed by the same
    /// root key (so each step is signed by its predecessor's keys and its own), padded with
    /// `padding` bytes in an extra field of `signed` (covered by the signature).
    static func chain(_ collection: TestCollection, latest: Int64, padding: Int = 0) throws -> (trusted: [UInt8], files: [String: [UInt8]]) {
        var files: [String: [UInt8]] = [:]
        var trusted: [UInt8] = []
        let pad = String(repeating: "p", count: padding)
        for version in 1...latest {
            var root = collection.root
            root.version = version
            guard case .object(var members) = root.json else { throw TestFailure("root json") }
            if padding > 0 { members["x-padding"] = .string(pad) }
            let signed = try MetadataSigner.sign(.object(members), with: collection.rootSigners)
            let bytes = try signed.serialized()
            if version == 1 { trusted = bytes }
            files["\(version).root.json"] = bytes
            if version == latest {
                var top = collection
                top.root = root
                let current = try top.files(editRoot: { file in file = signed })
                #expect(current["root.json"] == bytes)
                files.merge(current) { $1 }
            }
        }
        return (trusted, files)
    }

    @Test func theWalkStopsAtTheMaximumNumberOfRootVersions() throws {
        let collection = try TestCollection()
        let (trusted, files) = try Self.chain(collection, latest: 258)  // 257 new versions
        let fetcher = CountingFetcher(MemoryFetcher(files: files))
        let error = try #require(throws: TUFError.self) {
            try TrustUpdater(gun: collection.gun, now: collection.now, trustedRoot: trusted).update(from: fetcher)
        }
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.role == RoleName.root)
        #expect(error.message.contains("from v1 to v258") && error.message.contains("more than 256"), "\(error.message)")
        // Refused before any intermediate root was fetched.
        #expect(!fetcher.requests.contains { $0.hasSuffix(".root.json") && $0 != "root.json" }, "\(fetcher.requests)")
    }

    @Test func exactlyTheMaximumNumberOfRootVersionsIsWalked() throws {
        let collection = try TestCollection()
        let (trusted, files) = try Self.chain(collection, latest: 257)  // 256 new versions
        let verified = try TrustUpdater(gun: collection.gun, now: collection.now, trustedRoot: trusted)
            .update(from: MemoryFetcher(files: files))
        #expect(verified.root.version == 257)
    }

    /// The byte bound, exercised with a smaller budget (the default's 32 MiB of padded roots take
    /// minutes to sign in a debug build): ten roots of 256 KiB against 1 MiB. The fetch that would
    /// cross the bound is asked for no more than what is left, so the bytes past it are never
    /// downloaded, and nothing after it is asked for.
    @Test func theWalkStopsAtTheByteBound() throws {
        let collection = try TestCollection()
        let (trusted, files) = try Self.chain(collection, latest: 10, padding: 256 * 1024)
        let fetcher = CountingFetcher(MemoryFetcher(files: files))
        var updater = TrustUpdater(gun: collection.gun, now: collection.now, trustedRoot: trusted)
        #expect(updater.maxRootChainBytes == 32 * 1024 * 1024)
        updater.maxRootChainBytes = 1024 * 1024
        let error = try #require(throws: TUFError.self) { try updater.update(from: fetcher) }
        #expect(error.code == .tooLarge, "\(error)")
        #expect(error.role == RoleName.root)
        #expect(error.message.contains("needs more than 1048576 bytes of root metadata"), "\(error.message)")
        #expect(error.message.contains("4.root.json is over the"), "\(error.message)")
        #expect(!fetcher.requests.contains("5.root.json"), "\(fetcher.requests)")
        // The same chain under the default bound is walked.
        let verified = try TrustUpdater(gun: collection.gun, now: collection.now, trustedRoot: trusted).update(from: MemoryFetcher(files: files))
        #expect(verified.root.version == 10)
    }

    /// The walk no longer hands back every intermediate root's bytes (that was the memory).
    @Test func theVerifiedCollectionKeepsOnlyTheVersionsWalked() throws {
        let collection = try TestCollection()
        let (trusted, files) = try Self.chain(collection, latest: 4)
        let verified = try TrustUpdater(gun: collection.gun, now: collection.now, trustedRoot: trusted)
            .update(from: MemoryFetcher(files: files))
        #expect(verified.root.version == 4)
        #expect(verified.rootVersionsWalked == [2, 3, 4])
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
