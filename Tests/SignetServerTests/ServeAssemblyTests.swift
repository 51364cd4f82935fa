import Foundation
import Logging
@testable import SignetServer
import SignetHTTP
import Testing

/// `signet serve`'s server put together from a checked configuration (`Config/ServeAssembly.swift`).
@Suite struct ServeAssemblyTests {
    static let logger = Logger(label: "signet.test", factory: { _ in SwiftLogNoOpLogHandler() })

    @Test func assemblesAServerOnTheConfiguredStorage() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        var configuration = ServeConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.storageDirectory = scratch.path + "/data"
        configuration.keyPassphrase = "assembly-test-passphrase"
        let assembly = try ServeAssembly(configuration: configuration, plan: try ServePolicy.check(configuration), logger: Self.logger)
        try assembly.http.start()
        defer { assembly.http.shutdown(gracePeriod: 2) }
        #expect(assembly.url == "http://127.0.0.1:\(assembly.http.boundPort)")
        let ping = try RawHTTP.send(port: assembly.http.boundPort, method: "GET", target: "/v2/")
        #expect(ping.status == 200 && ping.bodyText == "{}")
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/data/repos"))
    }

    /// An access-control file that does not load is a refusal to start (exit 2), naming the file.
    @Test func aBadHtpasswdFileIsARefusal() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let htpasswd = scratch.path + "/htpasswd"
        try "alice:not-a-bcrypt-hash\n".write(toFile: htpasswd, atomically: true, encoding: .utf8)
        var configuration = ServeConfiguration()
        configuration.listen = "127.0.0.1:0"
        configuration.storageDirectory = scratch.path + "/data"
        configuration.auth.htpasswdFile = htpasswd
        let refusal = try #require(throws: ServePolicy.Refusal.self) {
            _ = try ServeAssembly(configuration: configuration, plan: try ServePolicy.check(configuration), logger: Self.logger)
        }
        #expect(refusal.description.contains(htpasswd), "\(refusal)")
    }
}
