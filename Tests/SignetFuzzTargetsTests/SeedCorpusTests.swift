import Foundation
import SignetFuzzTargets
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
}
