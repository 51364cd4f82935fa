import Foundation
import Testing

/// The CLI matches names given on the command line as bytes (issue 9, hole 8): `key export
/// --gun` and `add --oci-layout --ref` must not take `café` (U+00E9, NFC) for `cafe` + U+0301
/// (NFD), which Swift's `String` equality equates.
@Suite struct ExactNameCLITests {
    static let nfc = "example.com/team/caf\u{E9}"
    static let nfd = "example.com/team/cafe\u{301}"

    @Test func keyExportByGUNIsByteExact() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let trust = work.appendingPathComponent("trust").path
        let env = ["SIGNET_TARGETS_PASSPHRASE": "test-targets-passphrase"]
        let generated = try CLI.run(CLI.signet, ["key", "generate", "--role", "targets", "-o", work.appendingPathComponent("k").path, "-d", trust], environment: env)
        try #require(generated.status == 0, "\(generated.stderr)")
        let imported = try CLI.run(CLI.signet, ["key", "import", work.appendingPathComponent("k-key.pem").path, "-g", Self.nfd, "-r", "targets", "-d", trust], environment: env)
        try #require(imported.status == 0, "\(imported.stderr)")
        let own = try CLI.run(CLI.signet, ["key", "export", "--gun", Self.nfd, "-d", trust])
        #expect(own.status == 0 && own.stdout.contains("BEGIN"), "\(own.stderr)")
        let twin = try CLI.run(CLI.signet, ["key", "export", "--gun", Self.nfc, "-d", trust])
        #expect(!twin.stdout.contains("BEGIN"), "key export --gun <NFC> exported the NFD GUN's key")
    }

    @Test func ociLayoutRefIsByteExact() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let layout = work.appendingPathComponent("layout")
        try FileManager.default.createDirectory(at: layout, withIntermediateDirectories: true)
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let index = #"{"schemaVersion":2,"manifests":[{"digest":"\#(digest)","size":10,"annotations":{"org.opencontainers.image.ref.name":"caf\#u{E9}"}}]}"#
        try index.write(to: layout.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
        let result = try CLI.run(CLI.signet, ["add", "example.com/team/app", "--oci-layout", layout.path, "--ref", "cafe\u{301}",
                                              "-d", work.appendingPathComponent("trust").path])
        #expect(result.status == 2, "--ref <NFD> staged the NFC ref: \(result.stdout)")
        #expect(result.stderr.contains("has no manifest with ref"), "\(result.stderr)")
    }
}
