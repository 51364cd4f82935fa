import Foundation
import SignetFuzzTargets
import SignetHTTP
import Testing

/// Runs every fuzz target over its checked-in seed corpus (`Tests/Fuzz/Corpus/<target>/`), which
/// also holds the regression input of every fuzzing finding. Cheap, and keeps the harnesses
/// compiling and their properties true in the normal build; `scripts/fuzz` does the real runs.
@Suite("Fuzz targets over their seed corpus")
struct SeedCorpusTests {
    static let corpusRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/Corpus")

    static func corpus(_ target: FuzzTarget) throws -> [URL] {
        let directory = corpusRoot.appendingPathComponent(target.rawValue)
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { !$0.lastPathComponent.hasPrefix(".") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test("every seed keeps the target's properties", arguments: FuzzTarget.allCases)
    func seeds(_ target: FuzzTarget) throws {
        let files = try Self.corpus(target)
        #expect(files.count >= 5, "the \(target.rawValue) seed corpus is nearly empty")
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: file))
            #expect(throws: Never.self, "seed \(file.lastPathComponent)") { try target.fuzzOne(bytes) }
        }
    }

    @Test("the corpus stays small (a few hundred KiB in all)")
    func corpusSize() throws {
        var total = 0
        for target in FuzzTarget.allCases {
            for file in try Self.corpus(target) {
                total += try file.resourceValues(forKeys: [.fileSizeKey]).fileSize ?? 0
            }
        }
        #expect(total <= 512 * 1024, "seed corpus is \(total) bytes")
    }

    /// The in-memory readers reach as deep as a socket would: a seed request gets to the handler with
    /// its body, a split read changes nothing, and a seed response keeps status and body.
    @Test("the HTTP targets reach the handler and the response body")
    func httpReadersReachTheEnd() throws {
        let post = [UInt8]("POST /v2/a/_trust/tuf/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /b HTTP/1.1\r\n\r\n".utf8)
        for readSize in [1, 3, 1 << 16] {
            let outcomes = MessageReading.readRequests(post, readSize: readSize)
            #expect(outcomes.count == 2)
            guard case .request(let method, _, let path, _, let body, let keepAlive) = outcomes.first else {
                Issue.record("first request not read: \(outcomes)")
                continue
            }
            #expect(method == "POST" && path == "/v2/a/_trust/tuf/" && body == Array("hello".utf8) && keepAlive)
            #expect(outcomes.last == .rejected(status: 400), "HTTP/1.1 without Host")
        }
        let response = try MessageReading.readResponse(
            Array("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".utf8),
            method: "GET", readSize: 2, maxResponseBytes: 16)
        #expect(response.status == 200 && response.body == Array("{}".utf8))
    }
}
