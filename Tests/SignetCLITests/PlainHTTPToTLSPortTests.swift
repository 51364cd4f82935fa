import Foundation
import Testing

/// `-s http://…` pointed at a trust server that serves TLS used to print `read failed: Connection
/// reset by peer`; it says `speaks TLS: use https://…` now, for `signet serve` and for a real
/// notary-server 0.7 (issue 10 §3), with exit 3.
@Suite struct PlainHTTPToTLSPortTests {
    @Test(arguments: TrustServerKind.allCases)
    func plainHTTPToATLSTrustServerSaysUseHTTPS(_ kind: TrustServerKind) throws {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let (_, cert, key) = try EndToEndTests.makeTLS(in: work)
        let hostPort: String
        let stop: () -> Void
        switch kind {
        case .signet:
            let server = try SignetServe(directory: work, arguments: ["--tls-cert", cert, "--tls-key", key])
            hostPort = String(server.url.dropFirst("https://".count))
            stop = { _ = server.stop() }
        case .notary:
            let server = try Self.notaryServerWithTLS(directory: work, cert: cert, key: key)
            hostPort = server.hostPort
            stop = { server.process.terminate(); server.process.waitUntilExit() }
        }
        defer { stop() }
        let result = try SignetBinary.run(["list", "example.com/team/app", "-d", work.appendingPathComponent("trust").path, "-s", "http://\(hostPort)"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("the server at \(hostPort) speaks TLS: use https://\(hostPort)"), "\(result.stderr)")
    }

    static func notaryServerWithTLS(directory: URL, cert: String, key: String) throws -> (process: Process, hostPort: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/notary-server") else {
            throw TestFailure("/usr/bin/notary-server is missing: install the notary-server package (Debian: notary)")
        }
        let hostPort = "127.0.0.1:\(try NotaryServer.freePort())"
        let config = directory.appendingPathComponent("notary-tls.json")
        try Data("""
        {"server": {"http_addr": "\(hostPort)", "tls_cert_file": "\(cert)", "tls_key_file": "\(key)"},
         "trust_service": {"type": "local"}, "storage": {"backend": "memory"}, "logging": {"level": "warn"}}
        """.utf8).write(to: config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/notary-server")
        process.arguments = ["-config", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<50 {
            if let result = try? CLI.run("/usr/bin/curl", ["-skf", "https://\(hostPort)/v2/"]), result.status == 0 { return (process, hostPort) }
            usleep(100_000)
        }
        process.terminate()
        throw TestFailure("notary-server with TLS did not start on \(hostPort)")
    }
}
