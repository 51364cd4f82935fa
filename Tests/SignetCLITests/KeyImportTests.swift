import Foundation
import SignetTestSupport
import Testing

/// Issue 10 §3: `signet key import` takes every key the `openssl` CLI writes by its common
/// commands, like `notary key import` does, including `ecparam -genkey`'s `EC PARAMETERS` block
/// before the key.
@Suite struct KeyImportTests {
    static let passphrase = "import-passphrase"

    /// `openssl` commands (run by `sh -c` in a scratch directory) that write `key.pem`.
    static let commands: [String] = [
        "openssl ecparam -name prime256v1 -genkey -out key.pem",
        "openssl ecparam -name prime256v1 -genkey -noout -out key.pem",
        "openssl ecparam -name prime256v1 -genkey -out plain.pem && openssl ec -in plain.pem -aes256 -passout pass:\(passphrase) -out key.pem",
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem",
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:\(passphrase) -out key.pem",
        "openssl genpkey -algorithm ED25519 -out key.pem",
        "openssl genpkey -algorithm ED25519 -aes256 -pass pass:\(passphrase) -out key.pem",
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem",
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes256 -pass pass:\(passphrase) -out key.pem",
        "openssl genrsa -out key.pem 2048",
        "openssl genrsa -aes256 -passout pass:\(passphrase) -out key.pem 2048",
        "openssl genrsa -traditional -out key.pem 2048",
        "openssl genrsa -traditional -aes256 -passout pass:\(passphrase) -out key.pem 2048",
        "openssl ecparam -name prime256v1 -genkey -out plain.pem && openssl pkcs8 -topk8 -in plain.pem -passout pass:\(passphrase) -out key.pem",
        "openssl ecparam -name prime256v1 -genkey -out plain.pem && openssl pkcs8 -topk8 -nocrypt -in plain.pem -out key.pem",
    ]

    @Test(arguments: commands) func importsWhatOpenSSLWrites(_ command: String) throws {
        guard RequiredTool.isInstalled("/usr/bin/openssl") else { return }
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let made = try CLI.run("/bin/sh", ["-c", "cd '\(work.path)' && \(command)"])
        try #require(made.status == 0, "\(command): \(made.stderr)")
        let trustDir = work.appendingPathComponent("trust").path
        let env = ["SIGNET_DELEGATION_PASSPHRASE": Self.passphrase]
        let imported = try SignetBinary.run(["key", "import", work.appendingPathComponent("key.pem").path, "--role", "targets/releases", "-d", trustDir],
                                            environment: env)
        #expect(imported.status == 0, "\(command): \(imported.stderr)")
        #expect(imported.stdout.contains("Imported targets/releases key "), "\(imported.stdout)")
        // The stored key is usable: it loads with the role's passphrase.
        let id = try #require(imported.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        let listed = try SignetBinary.run(["key", "list", "-d", trustDir], environment: env)
        #expect(listed.stdout.contains(id), "\(listed.stdout)")
        let exported = try SignetBinary.run(["key", "passwd", id, "-d", trustDir], environment: env.merging(["SIGNET_NEW_PASSPHRASE": "another-passphrase"]) { $1 })
        #expect(exported.status == 0, "\(command): the imported key does not unlock: \(exported.stderr)")
    }

    @Test func aFileWithOnlyParametersIsRefusedByName() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let made = try CLI.run("/bin/sh", ["-c", "cd '\(work.path)' && openssl ecparam -name prime256v1 -out key.pem"])
        try #require(made.status == 0, "\(made.stderr)")
        let result = try SignetBinary.run(["key", "import", work.appendingPathComponent("key.pem").path, "--role", "targets/releases",
                                           "-d", work.appendingPathComponent("trust").path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("holds no PEM private key"), "\(result.stderr)")
    }
}
