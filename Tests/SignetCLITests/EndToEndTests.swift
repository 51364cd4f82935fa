import Foundation
import SignetCrypto
import SignetTUF
import Testing

/// A `signet serve` process on a free 127.0.0.1 port, started from the built binary.
final class SignetServe {
    let process = Process()
    let storage: URL
    let url: String
    /// The line that announced the server (`signet: serving on …`, or the `--json` document).
    let output: String
    private let outputFile: URL

    /// - Parameter standardError: a file for the server's log (else it is discarded); give
    ///   `--log-level info` in `arguments` for one access-log line per request.
    init(directory: URL, arguments: [String] = [], environment: [String: String] = [:], standardError: URL? = nil) throws {
        storage = directory.appendingPathComponent("data")
        outputFile = directory.appendingPathComponent("serve.out")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: CLI.signet)
        process.arguments = ["serve", "--listen", "127.0.0.1:0", "--storage", storage.path, "--log-level", "warning"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        if let standardError {
            _ = FileManager.default.createFile(atPath: standardError.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: standardError)
        } else {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        for _ in 0..<100 {
            let text = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("serving on ") }),
               let start = line.range(of: "serving on ")?.upperBound,
               let end = line[start...].firstIndex(of: " ") {
                url = String(line[start..<end])
                output = String(line)
                return
            }
            if let line = text.split(separator: "\n").first(where: { $0.contains(#""serving":""#) }),
               let start = line.range(of: #""serving":""#)?.upperBound,
               let end = line[start...].firstIndex(of: "\"") {
                url = String(line[start..<end])
                output = String(line)
                return
            }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        process.terminate()
        throw TestFailure("signet serve did not start: \((try? String(contentsOf: outputFile, encoding: .utf8)) ?? "")")
    }

    /// SIGTERM, then wait; returns the exit status.
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }
}

/// Issue 5's end-to-end run, from nothing: a TLS trust server, a signed collection (three tags by
/// digest and an OCI layout made with umoci), publish, verify from a fresh trust dir exactly as the
/// CI example in docs/verify-in-ci.md does, tampering on the server's disk refused, clean stop.
@Suite struct EndToEndTests {
    static let gun = "example.com/demo/app"
    static let keys = CLI.packageRoot.appendingPathComponent("keys-example")
    static let passphrases = [
        "SIGNET_ROOT_PASSPHRASE": "example-root-passphrase", "SIGNET_TARGETS_PASSPHRASE": "example-targets-passphrase",
        "SIGNET_SNAPSHOT_PASSPHRASE": "example-snapshot-passphrase", "SIGNET_DELEGATION_PASSPHRASE": "example-delegation-passphrase",
    ]

    @Test func signPublishVerifyTamperStop() throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let (caFile, certFile, keyFile) = try Self.makeTLS(in: work)
        let server = try SignetServe(directory: work, arguments: ["--tls-cert", certFile, "--tls-key", keyFile])
        var stopped = false
        defer { if !stopped { _ = server.stop() } }
        #expect(server.url.hasPrefix("https://127.0.0.1:"))

        let trust = work.appendingPathComponent("publisher").path
        func signet(_ arguments: [String], trustDir: String = trust, stdin: String? = nil) throws -> CLI.Result {
            try CLI.run(CLI.signet, arguments + ["-d", trustDir, "-s", server.url, "--tls-ca", caFile], environment: Self.passphrases, stdin: stdin)
        }
        func succeed(_ arguments: [String], stdin: String? = nil) throws {
            let result = try signet(arguments, stdin: stdin)
            try #require(result.status == 0, "signet \(arguments.joined(separator: " ")): \(result.stderr)")
        }

        // Sign: root from keys-example, three tags by digest, one OCI layout.
        try succeed(["init", Self.gun, "--root-key", Self.keys.appendingPathComponent("root.key").path,
                     "--root-cert", Self.keys.appendingPathComponent("root.crt").path])
        let digests = (1...3).map { (tag: "v\($0)", hex: Self.sha256Hex("manifest \($0)"), size: 500 + $0) }
        try succeed(["add", Self.gun, "--from-file", "-"], stdin: digests.map { "\($0.tag) sha256:\($0.hex) \($0.size)" }.joined(separator: "\n") + "\n")
        let layout = work.appendingPathComponent("layout").path
        for arguments in [["init", "--layout", layout], ["new", "--image", "\(layout):oci-1.0"]] {
            let result = try CLI.run("/usr/bin/umoci", arguments)
            try #require(result.status == 0, "umoci \(arguments): \(result.stderr)")
        }
        try succeed(["add", Self.gun, "--oci-layout", layout, "--ref", "oci-1.0"])
        try succeed(["publish", Self.gun])

        // Verify as CI does: a fresh trust dir, the root pinned, --json.
        func verify(_ tag: String) throws -> (CLI.Result, [String: Any]?) {
            let fresh = work.appendingPathComponent("ci-\(UUID().uuidString)").path
            let result = try signet(["verify", "\(Self.gun):\(tag)", "--root-cert", Self.keys.appendingPathComponent("root.crt").path, "--json"], trustDir: fresh)
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return (result, object)
        }
        for entry in digests {
            let (result, object) = try verify(entry.tag)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(object?["digest"] as? String == "sha256:\(entry.hex)")
            #expect(object?["length"] as? Int == entry.size)
        }
        let index = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout).appendingPathComponent("index.json"))) as? [String: Any]
        let ociDigest = ((index?["manifests"] as? [[String: Any]])?.first?["digest"] as? String)
        let (ociResult, ociObject) = try verify("oci-1.0")
        #expect(ociResult.status == 0, "\(ociResult.stderr)")
        #expect(ociObject?["digest"] as? String == ociDigest)

        // Tamper with the stored timestamp as an attacker with write access to the storage would:
        // one byte of its signature, with the store's own bookkeeping updated to match.
        try Self.tamperCurrent(role: "timestamp", storage: server.storage) { bytes in
            let marker = Array(#""sig":""#.utf8)
            let at = try #require(Self.find(marker, in: bytes)) + marker.count + 5
            bytes[at] = bytes[at] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        }
        let (refused, refusal) = try verify("v1")
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("timestamp"), "\(refused.stderr)")
        #expect(refusal?["trusted"] as? Bool == false)

        // Stop cleanly (SIGTERM → graceful shutdown, exit 0).
        stopped = true
        #expect(server.stop() == 0)
    }

    static func sha256Hex(_ text: String) -> String { Hex.encode(Digest.sha256(Array(text.utf8))) }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle { return start }
        return nil
    }

    /// Rewrites the current version file of `role` in a FileStore and the sha256 its manifest records.
    static func tamperCurrent(role: String, storage: URL, _ edit: (inout [UInt8]) throws -> Void) throws {
        let repos = storage.appendingPathComponent("repos")
        let gunDir = try #require(try FileManager.default.contentsOfDirectory(at: repos, includingPropertiesForKeys: nil).first)
        let manifestURL = gunDir.appendingPathComponent("manifest.json")
        var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any])
        var roles = try #require(manifest["roles"] as? [String: Any])
        var entry = try #require(roles[role] as? [String: Any])
        let current = try #require(entry["current"] as? Int)
        let file = gunDir.appendingPathComponent("versions/\(role).\(current).json")
        var bytes = [UInt8](try Data(contentsOf: file))
        try edit(&bytes)
        try Data(bytes).write(to: file)
        var versions = try #require(entry["versions"] as? [String: Any])
        var version = try #require(versions[String(current)] as? [String: Any])
        version["sha256"] = Hex.encode(Digest.sha256(bytes))
        versions[String(current)] = version
        entry["versions"] = versions
        roles[role] = entry
        manifest["roles"] = roles
        try JSONSerialization.data(withJSONObject: manifest).write(to: manifestURL)
    }

    /// A CA and a server certificate for IP 127.0.0.1, made with the openssl CLI.
    static func makeTLS(in directory: URL) throws -> (ca: String, cert: String, key: String) {
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        let steps: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("ca.key"), "-out", path("ca.crt"), "-days", "2", "-subj", "/CN=Signet E2E CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", path("server.key"), "-out", path("server.csr"), "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", path("server.csr"), "-CA", path("ca.crt"), "-CAkey", path("ca.key"), "-CAcreateserial", "-out", path("server.crt"), "-days", "2", "-extfile", path("san.ext")],
        ]
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: directory.appendingPathComponent("san.ext"))
        for step in steps {
            let result = try CLI.run("/usr/bin/openssl", step)
            try #require(result.status == 0, "openssl \(step[0]): \(result.stderr)")
        }
        return (path("ca.crt"), path("server.crt"), path("server.key"))
    }
}
