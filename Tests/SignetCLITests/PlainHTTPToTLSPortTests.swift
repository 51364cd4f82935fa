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
            let server = try NotaryServer(tls: (cert, key))
            hostPort = server.hostPort
            stop = { server.stop() }
        }
        defer { stop() }
        let result = try SignetBinary.run(["list", "example.com/team/app", "-d", work.appendingPathComponent("trust").path, "-s", "http://\(hostPort)"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("the server at \(hostPort) speaks TLS: use https://\(hostPort)"), "\(result.stderr)")
    }
}
