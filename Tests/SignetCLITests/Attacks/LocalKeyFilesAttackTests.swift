import Foundation
import Testing

/// Attack: local key files. Another account on the release engineer's machine reads the trust
/// dir. Private keys must be encrypted PKCS#8 in files of mode 0600 under a `private/` directory
/// of mode 0700, so only the owner can read them and, read anyway, they are useless without the
/// passphrase (DESIGN.md, security rules; Notary's trust dir uses the same modes).
@Suite("Attack: local key files") struct LocalKeyFilesAttackTests {
    @Test func generatedKeysAreOwnerOnlyAndEncrypted() throws {
        let trust = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: trust) }
        let result = try SignetBinary.run(["key", "generate", "--role", "targets/releases", "-d", trust.path],
                                          environment: CLI.passphrases)
        #expect(result.status == 0, "\(result.stderr)")
        let privateDir = trust.appendingPathComponent("private")
        let dirMode = try FileManager.default.attributesOfItem(atPath: privateDir.path)[.posixPermissions] as? Int
        #expect(dirMode == 0o700, "private/ has mode \(String(dirMode ?? -1, radix: 8))")
        let keys = try FileManager.default.contentsOfDirectory(atPath: privateDir.path).filter { $0.hasSuffix(".key") }
        #expect(keys.count == 1, "\(keys)")
        for key in keys {
            let path = privateDir.appendingPathComponent(key).path
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(key) has mode \(String(mode ?? -1, radix: 8))")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"), "\(key) is not encrypted PKCS#8")
            #expect(!text.contains("-----BEGIN PRIVATE KEY-----"))
        }
    }
}
