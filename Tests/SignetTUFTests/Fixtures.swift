import Foundation
import SignetTUF

/// Paths of the shared fixtures (`../shared/fixtures` beside the repository).
enum Fixtures {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    static let alpine = root.appendingPathComponent("dockerhub-alpine")
    static let sampleRepo = root.appendingPathComponent("notary-0.1-samplerepo/tuf/docker.com/notary0.1/samplerepo/metadata")
    static let notary07 = root.appendingPathComponent("notary-0.7")
    static let appStages = notary07.appendingPathComponent("metadata/example.com_library_app")
    static let ssmStages = notary07.appendingPathComponent("metadata/example.com_library_app-ssm")

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }

    /// Every `.json` metadata file below `directory`, recursively.
    static func metadataFiles(below directory: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "json", (try? Data(contentsOf: url))?.starts(with: Array(#"{"signed":"#.utf8)) == true {
                files.append(url)
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// An instant inside the validity of the notary-0.7 fixtures (made on 2026-11-29, timestamps
    /// valid 14 days).
    static let notary07Instant = try! TUFTime(rfc3339: "2026-11-30T00:00:00Z")
    static let alpineInstant = try! TUFTime(rfc3339: "2018-07-25T00:00:00Z")
}

/// Serves metadata from memory, named as the server's routes name the files; `<role>.<hex>.json`
/// falls back to `<role>.json`.
struct MemoryFetcher: MetadataFetcher {
    var files: [String: [UInt8]]

    init(files: [String: [UInt8]]) { self.files = files }

    /// Loads `root.json`, `timestamp.json`, `snapshot.json`, `targets.json`, `N.root.json` and
    /// `targets/*.json` from a directory.
    init(directory: URL) throws {
        var files: [String: [UInt8]] = [:]
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "json" else { continue }
            let relative = String(url.path.dropFirst(directory.path.count + 1))
            files[relative] = try Fixtures.bytes(url)
        }
        self.files = files
    }

    func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        let bytes: [UInt8]?
        switch request {
        case .hash(_, let role, _): bytes = files[request.fileName] ?? files["\(role).json"]
        default: bytes = files[request.fileName]
        }
        if let bytes, bytes.count > request.maxLength {
            throw TUFError(.tooLarge, "\(request.fileName) is over \(request.maxLength) bytes")
        }
        return bytes
    }
}
