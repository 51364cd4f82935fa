import Foundation
import SignetTUF
import Testing

/// `signet serve` as a process: flags, config file, signals.
@Suite struct ServeCommandTests {
    @Test func configFileSetsKeyAlgorithmAndCaching() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = scratch.path + "/signet-server.json"
        try #"""
        {"trust_service": {"key_algorithm": "ecdsa"},
         "caching": {"max_age": {"current_metadata": 0, "consistent_metadata": 60}},
         "limits": {"max_body_bytes": 2048},
         "logging": {"level": "warning"}}
        """#.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess(storage: scratch.path + "/data", extraArguments: ["--config", config])
        defer { server.stop() }
        let key = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/example.com/app/_trust/tuf/timestamp.key")
        #expect(try JSONParser.parse(key.body)["keytype"]?.stringValue == "ecdsa")
        let big = RawHTTP.multipart([("files", "targets", [UInt8](repeating: 0x20, count: 4096))])
        let refused = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/example.com/app/_trust/tuf/",
                                       headers: [("Content-Type", big.contentType)], body: big.body)
        #expect(refused.status == 413)
        // Interrupt: graceful shutdown, exit 0.
        kill(server.process.processIdentifier, SIGINT)
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
    }

    @Test func gunPrefixes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = scratch.path + "/prefixes.json"
        try #"{"repositories": {"gun_prefixes": ["example.com/", "registry.local/team/"]}}"#.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess(storage: scratch.path + "/data", extraArguments: ["--config", config])
        defer { server.stop() }
        let upload = RawHTTP.multipart([("files", "root", Array("{}".utf8))])
        let refused = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/other.org/app/_trust/tuf/",
                                       headers: [("Content-Type", upload.contentType)], body: upload.body)
        #expect(refused.status == 400)
        #expect(refused.bodyText == #"{"errors":[{"code":"INVALID_GUN","message":"The provided GUN is invalid.","detail":"Require GUNs with prefix: [example.com/ registry.local/team/]"}]}"#)
        let outside = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/other.org/app/_trust/tuf/timestamp.key")
        #expect(outside.status == 404)
        #expect(Probe.errorCode(outside.bodyText) == "METADATA_NOT_FOUND", "\(outside.bodyText)")
        #expect(try RawHTTP.send(port: server.port, method: "GET", target: "/v2/registry.local/team/app/_trust/tuf/timestamp.key").status == 200)
        let allowed = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/example.com/app/_trust/tuf/",
                                       headers: [("Content-Type", upload.contentType)], body: upload.body)
        #expect(Probe.errorCode(allowed.bodyText) == "MALFORMED_JSON")
    }

    @Test func generatedKeyPassphraseIsPrivateAndNotLogged() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let storage = scratch.path + "/data"
        let server = try ServerProcess(storage: storage, environment: ["SIGNET_SERVER_KEY_PASSPHRASE": ""])
        _ = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/example.com/app/_trust/tuf/timestamp.key")
        #expect(server.stop() == 0)
        let path = storage + "/server-key-passphrase"
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let passphrase = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(passphrase.count == 64)
        #expect(server.log.contains("server-key-passphrase") && !server.log.contains(passphrase))
        // Key files: encrypted PKCS#8, 0600.
        let keys = FileManager.default.enumerator(atPath: storage + "/keys")?.allObjects as? [String] ?? []
        let keyFiles = keys.filter { $0.hasSuffix(".pem") }
        #expect(keyFiles.count == 1)
        for file in keyFiles {
            let full = storage + "/keys/" + file
            #expect((try FileManager.default.attributesOfItem(atPath: full)[.posixPermissions] as? Int) == 0o600)
            #expect(try String(contentsOfFile: full, encoding: .utf8).hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        }
        // The same key after a restart (the passphrase file is reused).
        let again = try ServerProcess(storage: storage, environment: ["SIGNET_SERVER_KEY_PASSPHRASE": ""])
        defer { again.stop() }
        let first = try RawHTTP.send(port: again.port, method: "GET", target: "/v2/example.com/app/_trust/tuf/timestamp.key")
        #expect(first.status == 200)
        #expect((FileManager.default.enumerator(atPath: storage + "/keys")?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".pem") }.count == 1)
    }

    @Test func badUsageExitsTwo() throws {
        let binary = try Paths.signetBinary()
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try "{not json".write(toFile: scratch.path + "/bad.json", atomically: true, encoding: .utf8)
        try #"{"trust_service":{"key_algorithm":"rsa"}}"#.write(toFile: scratch.path + "/rsa.json", atomically: true, encoding: .utf8)
        try #"{"repositories":{"gun_prefixes":["/abs/"]}}"#.write(toFile: scratch.path + "/prefix.json", atomically: true, encoding: .utf8)
        for arguments in [["--config", scratch.path + "/bad.json"], ["--config", scratch.path + "/rsa.json"],
                          ["--config", scratch.path + "/missing.json"], ["--config", scratch.path + "/prefix.json"], ["--tls-cert", scratch.path + "/x.crt"],
                          ["--listen", "nonsense"], ["--log-level", "loud"]] {
            let result = try runCommand(binary, ["serve", "--storage", scratch.path + "/data"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
    }
}
