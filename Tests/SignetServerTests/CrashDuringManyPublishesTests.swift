import Foundation
import SignetServer
import SignetTUF
import SignetTestSupport
import Testing

/// Reads a collection straight from a FileStore, as the server's routes would serve it.
struct StoreFetcher: MetadataFetcher {
    let store: any MetadataStore
    let gun: String

    func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        switch request {
        case .current(let role, _): return try store.current(gun: gun, role: role)?.bytes
        case .version(let version, let role, _): return try store.version(gun: gun, role: role, version: version)?.bytes
        case .hash(let hex, let role, _): return try store.byHash(gun: gun, role: role, sha256Hex: hex)?.bytes
        }
    }
}

/// Issue 4: `signet serve` SIGKILLed at random moments during 200 publishes to two collections.
/// After every kill each collection verifies in full (every signature, hash and version, from
/// root to targets) at its old or its new version — the target count is the one before or after
/// the interrupted publish, never anything in between — and publishing carries on.
@Suite(.serialized) struct CrashDuringManyPublishesTests {
    @Test func twoHundredPublishesWithRandomKills() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = scratch.path + "/data"
        var server = try ServerProcess(storage: storage)
        defer { server.kill() }
        let guns = ["example.com/crash/one", "example.com/crash/two"]
        var publisher = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        for gun in guns {
            try #require(try publisher.run(["init", gun]).status == 0)
            try #require(try publisher.run(["publish", gun]).status == 0)
        }
        var published = [0, 0]
        var kills = 0
        for round in 0..<200 {
            let index = round % 2
            let gun = guns[index]
            let hex = String(repeating: String(format: "%02x", round % 256), count: 32)
            _ = try publisher.run(["addhash", gun, "t\(round)", "100", "--sha256", hex])
            let killThisRound = Int.random(in: 0..<4) == 0
            if !killThisRound {
                let result = try publisher.run(["publish", gun])
                if result.status == 0 { published[index] = Self.count(gun, storage) }
                continue
            }
            // Publish in the background and SIGKILL the server at a random moment during it.
            let publish = try publisher.start(["publish", gun])
            Thread.sleep(forTimeInterval: Double.random(in: 0...0.08))
            server.kill()
            kills += 1
            publish.waitUntilExit()
            for (other, otherGUN) in guns.enumerated() {
                let count = try Self.verifiedCount(otherGUN, storage)
                // The verified update above succeeding is the "never in between" check. The
                // interrupted GUN is at its old version or has everything staged so far.
                if other == index {
                    #expect(count >= published[other], "\(otherGUN): \(count) targets after the kill, \(published[other]) before")
                } else {
                    #expect(count == published[other], "\(otherGUN) changed although nothing published to it")
                }
                published[other] = count
            }
            server = try ServerProcess(storage: storage)
            publisher = NotaryCLI(server: server.baseURL, trustDir: publisher.trustDir)
        }
        #expect(kills >= 20)
        // Whatever the kills interrupted is published now; every target of every round is there.
        for gun in guns {
            let final = try publisher.run(["publish", gun])
            #expect(final.status == 0, "\(final.stdout) \(final.stderr)")
            #expect(try Self.verifiedCount(gun, storage) == 100, "\(gun) after the final publish")
        }
        #expect(server.stop() == 0)
    }

    /// Targets of `gun` after a full verified update from the storage (trust on first use).
    static func verifiedCount(_ gun: String, _ storage: String) throws -> Int {
        let store = try FileStore(directory: storage)
        let collection = try TrustUpdater(gun: gun, now: TUFTime(Date())).update(from: StoreFetcher(store: store, gun: gun))
        return collection.list().count
    }

    static func count(_ gun: String, _ storage: String) -> Int { (try? verifiedCount(gun, storage)) ?? -1 }
}
