import Foundation
import Testing

/// `signet serve --tls-client-ca`: client certificates from the configured CA, their subjects
/// mapped to scopes by the policy. CAs and certificates come from the openssl CLI.
@Suite(.serialized) struct AuthMutualTLSTests {
    static let openssl = "/usr/bin/openssl"

    static func sh(_ arguments: [String]) throws {
        let result = try runCommand(openssl, arguments)
        try #require(result.status == 0, "openssl \(arguments.prefix(2).joined(separator: " ")): \(result.stderr)")
    }

    /// A CA `name` (key + self-signed cert) in `dir`.
    static func makeCA(_ dir: String, _ name: String) throws {
        try sh(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(name).key",
                "-out", "\(dir)/\(name).crt", "-days", "30", "-subj", "/CN=\(name)"])
    }

    /// A leaf `name` signed by `ca`, with `subject` and optional extensions.
    static func makeLeaf(_ dir: String, _ name: String, ca: String, subject: String, extensions: String? = nil) throws {
        try sh(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/\(name).key",
                "-out", "\(dir)/\(name).csr", "-subj", subject])
        var arguments = ["x509", "-req", "-in", "\(dir)/\(name).csr", "-CA", "\(dir)/\(ca).crt", "-CAkey", "\(dir)/\(ca).key",
                         "-CAcreateserial", "-out", "\(dir)/\(name).crt", "-days", "30"]
        if let extensions {
            try AuthFixture.write(extensions + "\n", to: "\(dir)/\(name).ext")
            arguments += ["-extfile", "\(dir)/\(name).ext"]
        }
        try sh(arguments)
    }

    @Test func clientCertificatesMapToScopes() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let dir = scratch.path
        try Self.makeCA(dir, "client-ca")
        try Self.makeCA(dir, "server-ca")
        try Self.makeCA(dir, "rogue-ca")
        try Self.makeLeaf(dir, "server", ca: "server-ca", subject: "/CN=127.0.0.1", extensions: "subjectAltName=IP:127.0.0.1,DNS:localhost")
        try Self.makeLeaf(dir, "publisher", ca: "client-ca", subject: "/O=Example/CN=publisher")
        try Self.makeLeaf(dir, "reader", ca: "client-ca", subject: "/O=Example/CN=reader")
        try Self.makeLeaf(dir, "rogue", ca: "rogue-ca", subject: "/O=Example/CN=publisher")
        try AuthFixture.write(#"""
        {"rules": [{"identities": ["CN=publisher,O=Example"], "guns": ["example.com/team/*"], "actions": ["*"]},
                   {"identities": ["CN=reader,O=Example"], "guns": ["example.com/team/*"], "actions": ["pull"]}]}
        """#, to: dir + "/policy.json")
        let server = try ServerProcess(storage: dir + "/data", extraArguments: [
            "--tls-cert", "\(dir)/server.crt", "--tls-key", "\(dir)/server.key", "--tls-client-ca", "\(dir)/client-ca.crt",
            "--policy", dir + "/policy.json",
        ], tls: true)
        defer { server.stop() }
        let gun = "example.com/team/app"
        try AuthFixture.write("hello\n", to: dir + "/hello.txt")

        func signet(_ arguments: [String], cert: String?, trust: String) throws -> CommandResult {
            var options = ["-s", server.baseURL, "-d", "\(dir)/\(trust)", "--tls-ca", "\(dir)/server-ca.crt"]
            if let cert { options += ["--tls-client-cert", "\(dir)/\(cert).crt", "--tls-client-key", "\(dir)/\(cert).key"] }
            let environment = NotaryCLI.environment.reduce(into: [String: String]()) { $0[$1.key.replacingOccurrences(of: "NOTARY_", with: "SIGNET_")] = $1.value }
            return try runCommand(try Paths.signetBinary(), arguments + options, environment: environment)
        }
        // The publisher's certificate: init, add, publish, list.
        #expect(try signet(["init", gun], cert: "publisher", trust: "pub").status == 0)
        #expect(try signet(["add", gun, "v1", dir + "/hello.txt"], cert: "publisher", trust: "pub").status == 0)
        let published = try signet(["publish", gun], cert: "publisher", trust: "pub")
        #expect(published.status == 0, "publish: \(published.stderr) \(server.log)")
        let listed = try signet(["list", gun], cert: "reader", trust: "reader")
        #expect(listed.status == 0 && listed.stdout.contains("v1"), "reader list: \(listed.stderr)")

        // No certificate, or one from another CA (even with the same subject): the handshake fails.
        let none = try signet(["list", gun], cert: nil, trust: "none")
        #expect(none.status == 3, "no client certificate: \(none.status) \(none.stderr)")
        let rogue = try signet(["list", gun], cert: "rogue", trust: "rogue")
        #expect(rogue.status == 3, "rogue CA: \(rogue.status) \(rogue.stderr)")

        // The reader may pull but not delete or publish.
        let delete = try signet(["delete", gun, "--remote"], cert: "reader", trust: "reader")
        #expect(delete.status == 1 && delete.stderr.contains("access denied"), "\(delete.stderr)")
        #expect(try signet(["list", gun], cert: "publisher", trust: "pub").stdout.contains("v1"))

        // The real notary client with the publisher's certificate.
        if AuthFixture.notaryInstalled() {
            let tlsFlags = ["--tlscacert", "\(dir)/server-ca.crt", "--tlscert", "\(dir)/publisher.crt", "--tlskey", "\(dir)/publisher.key"]
            let notaryList = try AuthFixture.notary(server.baseURL, trustDir: dir + "/notary", auth: nil, ["list", gun], extra: tlsFlags)
            #expect(notaryList.status == 0 && notaryList.stdout.contains("v1"), "notary list: \(notaryList.stdout) \(notaryList.stderr)")
            let withoutCert = try AuthFixture.notary(server.baseURL, trustDir: dir + "/notary2", auth: nil, ["list", gun],
                                                     extra: ["--tlscacert", "\(dir)/server-ca.crt"])
            #expect(withoutCert.status == 1, "\(withoutCert.stdout) \(withoutCert.stderr)")
            // notary names the failed connection; the TLS text under it is "remote error: tls: certificate
            // required" or a reset, depending on when the TLS 1.3 client reads the server's alert.
            let output = withoutCert.stdout + withoutCert.stderr
            #expect(output.contains("client is offline") && output.contains("could not reach \(server.baseURL)"), "\(output)")
        }
    }
}
