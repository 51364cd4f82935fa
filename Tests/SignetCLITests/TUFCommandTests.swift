import Foundation
import SignetTestSupport
import Testing

/// `signet tuf` on real TUF 1.0 data: the snapshot of sigstore's root-signing repository that the
/// TUF conformance suite carries (`../shared/vendor/tuf-conformance/…/static_data`, downloaded on
/// 2025-02-09: root v12, timestamp v272, snapshot v159, targets v11). The online commands are
/// exercised by the conformance suite itself (`scripts/tuf-conformance`).
@Suite struct TUFCommandTests {
    static let sigstore = SignetBinary.repoRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/vendor/tuf-conformance/tuf_conformance/static_data/sigstore-root-signing")
    static let digest = "sha256:f44a1b88128e55ebfb62189becbc0fa48d4ec9915c65ac54ba0e46a008b12d5b"
    static let at = ["--at", "2025-02-09T12:02:08Z"]

    /// A metadata directory as a refresh on 2025-02-09 leaves it: `init` with root v12, then the
    /// repository's timestamp, snapshot and targets under their non-versioned names.
    func metadataDirectory() throws -> URL {
        let directory = try CLI.temporaryDirectory().appendingPathComponent("metadata")
        let initialised = try SignetBinary.run(["tuf", "init", Self.sigstore.appendingPathComponent("initial_root.json").path,
                                                "--metadata-dir", directory.path])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        #expect(initialised.stdout.contains("trusting root v12"))
        for (stored, served) in [("timestamp.json", "timestamp.json"), ("snapshot.json", "159.snapshot.json"), ("targets.json", "11.targets.json")] {
            try FileManager.default.copyItem(at: Self.sigstore.appendingPathComponent("metadata/\(served)"), to: directory.appendingPathComponent(stored))
        }
        return directory
    }

    @Test func verifiesSigstoresTrustedRootOffline() throws {
        let directory = try metadataDirectory()
        let result = try SignetBinary.run(["tuf", "verify", "trusted_root.json", "--metadata-dir", directory.path] + Self.at)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.digest + "\n")
        let json = try SignetBinary.run(["tuf", "verify", "trusted_root.json", "--metadata-dir", directory.path, "--json"] + Self.at)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["digest"] as? String == Self.digest)
        #expect(object["role"] as? String == "targets")
        #expect(object["length"] as? Int == 4537)
    }

    @Test func refusalsNameTheRoleAndExitOne() throws {
        let directory = try metadataDirectory()
        // Judged now, sigstore's root v12 (expires 2025-08-19) has long expired.
        let late = try SignetBinary.run(["tuf", "verify", "trusted_root.json", "--metadata-dir", directory.path])
        #expect(late.status == 1)
        #expect(late.stderr.contains("root v12 expired at 2025-08-19T14:33:09Z"), "\(late.stderr)")
        let missing = try SignetBinary.run(["tuf", "verify", "no-such-target", "--metadata-dir", directory.path, "--json"] + Self.at)
        #expect(missing.status == 1)
        let refusal = try #require(try JSONSerialization.jsonObject(with: Data(missing.stdout.utf8)) as? [String: Any])
        #expect((refusal["error"] as? String)?.contains("not listed by any role") == true, "\(refusal)")
        #expect(refusal["exitCode"] as? Int == 1)
        // One changed byte in snapshot's signed part.
        let snapshot = directory.appendingPathComponent("snapshot.json")
        var bytes = try [UInt8](Data(contentsOf: snapshot))
        let needle = Array("\"version\": 159".utf8)
        let index = try #require((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[index + needle.count - 1] = UInt8(ascii: "8")
        try Data(bytes).write(to: snapshot)
        let tampered = try SignetBinary.run(["tuf", "verify", "trusted_root.json", "--metadata-dir", directory.path] + Self.at)
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("snapshot"), "\(tampered.stderr)")
    }

    @Test func initRefusesWhatItCannotTrust() throws {
        let directory = try CLI.temporaryDirectory().appendingPathComponent("metadata")
        // A root whose signatures are not over its content.
        let original = try String(contentsOf: Self.sigstore.appendingPathComponent("initial_root.json"), encoding: .utf8)
        let changed = original.replacingOccurrences(of: "\"version\": 12", with: "\"version\": 13")
        let file = directory.deletingLastPathComponent().appendingPathComponent("root.json")
        try changed.write(to: file, atomically: true, encoding: .utf8)
        let unsigned = try SignetBinary.run(["tuf", "init", file.path, "--metadata-dir", directory.path])
        #expect(unsigned.status == 1)
        #expect(unsigned.stderr.contains("is not signed by its own root keys"), "\(unsigned.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("root.json").path))
        // A directory that trusts another root already.
        let trusted = try metadataDirectory()
        let other = try SignetBinary.run(["tuf", "init", Self.sigstore.appendingPathComponent("metadata/10.root.json").path, "--metadata-dir", trusted.path])
        #expect(other.status == 2)
        #expect(other.stderr.contains("already trusts a root"), "\(other.stderr)")
        // sigstore's root v11 lists a key under an ID that is not the hash of its key object (the
        // suite's README: "v11 has a keyid compliance issue"): refused, naming both IDs.
        let mislabelled = try SignetBinary.run(["tuf", "init", Self.sigstore.appendingPathComponent("metadata/11.root.json").path,
                                                "--metadata-dir", directory.path])
        #expect(mislabelled.status == 1)
        #expect(mislabelled.stderr.contains("lists a key as 7247f0dbad85b147e1863bade761243cc785dcb7aa410e7105dd3d2b61a36d2c, but its ID"), "\(mislabelled.stderr)")
        // An unreadable file is bad input.
        let absent = try SignetBinary.run(["tuf", "init", "/nonexistent/root.json", "--metadata-dir", directory.path])
        #expect(absent.status == 2)
    }

    /// The `--json` cases of `signet tuf` for `JSONOutputTests` (which requires one per command):
    /// online against the suite's tuf-on-ci snapshot (valid until 2044) served over HTTP, offline
    /// on the metadata that leaves.
    static func jsonCases(work: URL, success: ([String], [String]) throws -> Void,
                          failure: ([String], [String], Int32) throws -> Void) throws {
        let server = try StaticRepositoryServer()
        defer { server.stop() }
        let repository = Self.sigstore.deletingLastPathComponent().appendingPathComponent("tuf-on-ci-0.11")
        let metadata = work.appendingPathComponent("tuf-metadata").path
        let urls = ["--metadata-url", "\(server.url)/tuf-on-ci-0.11/metadata/"]
        let download = urls + ["--target-base-url", "\(server.url)/tuf-on-ci-0.11/targets/", "--target-dir", work.appendingPathComponent("tuf-targets").path]
        try success(["tuf", "init"], [repository.appendingPathComponent("initial_root.json").path, "--metadata-dir", metadata, "--json"])
        try success(["tuf", "refresh"], ["--metadata-dir", metadata, "--json"] + urls)
        try success(["tuf", "download"], ["delegatedrole/artifact", "--metadata-dir", metadata, "--json"] + download)
        try success(["tuf", "verify"], ["delegatedrole/artifact", "--metadata-dir", metadata, "--json"])
        try failure(["tuf", "init"], ["/nonexistent/root.json", "--metadata-dir", metadata, "--json"], 2)
        try failure(["tuf", "refresh"], ["--metadata-dir", metadata, "--json", "--metadata-url", "http://127.0.0.1:\(try FreePort.pick())/"], 3)
        try failure(["tuf", "download"], ["no-such-target", "--metadata-dir", metadata, "--json"] + download, 1)
        try failure(["tuf", "verify"], ["delegatedrole/artifact", "--metadata-dir", metadata, "--json", "--at", "2050-01-01T00:00:00Z"], 1)
    }
}

/// The conformance suite's static repositories (`static_data/`) served by `python3 -m http.server`
/// on a free 127.0.0.1 port, as the suite itself serves them.
struct StaticRepositoryServer {
    let process = Process()
    let url: String

    init() throws {
        guard RequiredTool.isInstalled("/usr/bin/python3") else { throw TestFailure("python3 is missing") }
        let port = try FreePort.pick()
        url = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-m", "http.server", "\(port)", "--bind", "127.0.0.1"]
        process.currentDirectoryURL = TUFCommandTests.sigstore.deletingLastPathComponent()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<100 {
            if let result = try? CLI.run("/usr/bin/curl", ["-sf", "\(url)/README.md"]), result.status == 0 { return }
            usleep(100_000)
        }
        process.terminate()
        throw TestFailure("python3 -m http.server did not start on \(url)")
    }

    /// SIGKILL, not `terminate()`'s SIGTERM: the test process's children may inherit SIGTERM
    /// ignored or blocked, and then python3 never exits and `waitUntilExit` waits forever.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
