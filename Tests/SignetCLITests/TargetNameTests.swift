import Foundation
import Testing

/// Target names are checked in one place for every way into the changelist (issue 10 §1): empty,
/// leading or trailing white space, control characters and names over 1024 bytes are refused
/// with exit 2 and nothing is staged; the names real repositories use are accepted.
@Suite struct TargetNameTests {
    static let gun = "example.com/names/app"
    static let digest = "sha256:" + String(repeating: "ab", count: 32)

    /// Runs signet against a fresh trust dir; returns the result and the number of staged changes.
    func stage(_ arguments: [String], stdin: String? = nil, in trust: URL) throws -> (CLI.Result, Int) {
        let result = try CLI.run(CLI.signet, arguments + ["-d", trust.path], stdin: stdin)
        let changelist = trust.appendingPathComponent("tuf/\(Self.gun)/changelist").path
        let staged = ((try? FileManager.default.contentsOfDirectory(atPath: changelist)) ?? []).filter { $0.hasSuffix(".change") }.count
        return (result, staged)
    }

    static let badNames: [(String, String)] = [
        ("", "the target name is empty"),
        (" ", "starts or ends with white space"),
        (" 1.0", "starts or ends with white space"),
        ("1.0\t", "contains the control character U+0009"),
        ("1.0\u{3000}", "starts or ends with white space"),
        ("1.0\u{A0}", "starts or ends with white space"),
        ("1.0\u{7}", "contains the control character U+0007"),
        ("v1\nv2", "contains the control character U+000A"),
        ("v\u{85}1", "contains the control character U+0085"),
        (String(repeating: "a", count: 1025), "is 1025 bytes, the limit is 1024"),
    ]

    @Test(arguments: badNames)
    func addAndRemoveRefuseTheName(_ name: String, _ reason: String) throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let (added, addedCount) = try stage(["add", Self.gun, name, "--digest", Self.digest, "--size", "1"], in: trust)
        #expect(added.status == 2, "add \(name.debugDescription): \(added.stderr)")
        #expect(added.stderr.contains(reason) && added.stderr.contains("nothing staged"), "\(added.stderr)")
        let (removed, removedCount) = try stage(["remove", Self.gun, name], in: trust)
        #expect(removed.status == 2, "remove \(name.debugDescription): \(removed.stderr)")
        #expect(removed.stderr.contains(reason), "\(removed.stderr)")
        #expect(addedCount == 0 && removedCount == 0)
    }

    @Test func fromFileRefusesTheWholeList() throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let list = "1.0 \(Self.digest) 10\nbad\u{1}name \(Self.digest) 10\n"
        let (result, staged) = try stage(["add", Self.gun, "--from-file", "-"], stdin: list, in: trust)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("contains the control character U+0001"), "\(result.stderr)")
        #expect(staged == 0, "a list with one bad name stages nothing")
    }

    @Test func ociLayoutRefusesABadRefName() throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let layout = trust.appendingPathComponent("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        let index = #"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(Self.digest)","size":10,"annotations":{"org.opencontainers.image.ref.name":"1.0 "}}]}"#
        try index.write(to: layout.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
        let (result, staged) = try stage(["add", Self.gun, "--oci-layout", layout.path], in: trust)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains("target name \"1.0 \" starts or ends with white space"), "\(result.stderr)")
        #expect(staged == 0)
    }

    /// Names real repositories use stay accepted: Docker tags, Notary file targets with slashes,
    /// dots and inner spaces, non-ASCII, and a name of exactly 1024 bytes.
    @Test(arguments: ["latest", "3.8", "v1.0.0-rc.1_build.5", ".gitignore", "docs/readme", "../delegated/foo/../subdir/data3.txt",
                      "release notes.txt", "caf\u{E9}", String(repeating: "a", count: 1024)])
    func realNamesAreAccepted(_ name: String) throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let (added, staged) = try stage(["add", Self.gun, name, "--digest", Self.digest, "--size", "1"], in: trust)
        #expect(added.status == 0, "\(name): \(added.stderr)")
        // --force: this trust dir has no trust data and no server, so which role holds the name
        // cannot be checked (SilentNoOpTests); the name itself must still be accepted.
        let (removed, _) = try stage(["remove", Self.gun, name, "--force"], in: trust)
        #expect(removed.status == 0, "\(name): \(removed.stderr)")
        #expect(staged == 1)
    }
}
