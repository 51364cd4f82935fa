import Foundation
import SignetTestSupport
import Testing

/// Issue 16 §2: a client config file in Notary's `~/.notary/config.json` format
/// (`remote_server.url`, `remote_server.root_ca`, `trust_pinning`), read from
/// `<trust dir>/config.json` or `-c FILE`, with flag > environment > config file > default; and
/// `SIGNET_TLS_CA`. Against a real `signet serve` over TLS.
@Suite(.serialized) struct ClientConfigTests {
    static let gun = "example.com/configured/app"
    static let digest = "sha256:" + String(repeating: "e", count: 64)

    /// A TLS server with one published collection; its URL, CA file and root key ID.
    final class Fixture {
        let work: URL
        let server: SignetServe
        let ca: String
        let rootKeyID: String

        init() throws {
            work = try CLI.temporaryDirectory()
            let (ca, cert, key) = try EndToEndTests.makeTLS(in: work)
            self.ca = ca
            let server = try SignetServe(directory: work.appendingPathComponent("server"), arguments: ["--tls-cert", cert, "--tls-key", key])
            self.server = server
            // deinit does not run when init throws: stop the server here on a failed setup.
            var ready = false
            defer { if !ready { _ = server.stop() } }
            let publisher = ["-s", server.url, "--tls-ca", ca, "-d", work.appendingPathComponent("publisher").path]
            for arguments in [["init", ClientConfigTests.gun], ["add", ClientConfigTests.gun, "1.0", "--digest", ClientConfigTests.digest, "--size", "99"],
                              ["publish", ClientConfigTests.gun]] {
                let result = try CLI.run(CLI.signet, publisher + arguments, environment: CLI.passphrases)
                try #require(result.status == 0, "signet \(arguments): \(result.stderr)")
            }
            let ids = try CLI.run(CLI.signet, publisher + ["root", "show", ClientConfigTests.gun, "--key-ids"])
            rootKeyID = try #require(ids.stdout.split(separator: " ").first.map(String.init))
            ready = true
        }

        deinit {
            _ = server.stop()
            try? FileManager.default.removeItem(at: work)
        }

        /// A fresh HOME whose `~/.signet/config.json` is `config`; the CA is copied beside it and
        /// named relatively, as Notary resolves config paths against the config's directory.
        func home(_ config: [String: Any]) throws -> URL {
            let home = work.appendingPathComponent("home-\(UUID().uuidString)")
            let trustDir = home.appendingPathComponent(".signet")
            try FileManager.default.createDirectory(at: trustDir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: ca, toPath: trustDir.appendingPathComponent("server-ca.crt").path)
            try JSONSerialization.data(withJSONObject: config).write(to: trustDir.appendingPathComponent("config.json"))
            return home
        }

        /// `signet ARGS` with nothing but HOME set (no flags, no SIGNET_* variables).
        func signet(_ arguments: [String], home: URL, environment: [String: String] = [:]) throws -> CLI.Result {
            let inherited = ProcessInfo.processInfo.environment.keys.filter { $0.hasPrefix("SIGNET_") }
            var env = Dictionary(uniqueKeysWithValues: inherited.map { ($0, "") })
            env["HOME"] = home.path
            return try CLI.run(CLI.signet, arguments, environment: env.merging(environment) { $1 })
        }
    }

    @Test func notaryStyleSettingsAloneListAndVerify() throws {
        let fixture = try Fixture()
        let home = try fixture.home([
            "remote_server": ["url": fixture.server.url, "root_ca": "server-ca.crt"],
            "trust_pinning": ["certs": [Self.gun: [fixture.rootKeyID]]],
        ])
        let list = try fixture.signet(["list", Self.gun], home: home)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("1.0") && list.stdout.contains(Self.digest), "\(list.stdout)")
        let verify = try fixture.signet(["verify", "\(Self.gun):1.0"], home: home)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout == Self.digest + "\n")

        // A pin that the root does not meet refuses, from the config as from a flag.
        let mismatched = try fixture.home([
            "remote_server": ["url": fixture.server.url, "root_ca": "server-ca.crt"],
            "trust_pinning": ["certs": [Self.gun: [String(repeating: "0", count: 64)]]],
        ])
        let refused = try fixture.signet(["verify", "\(Self.gun):1.0"], home: mismatched)
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)
        #expect(refused.stderr.contains("does not match the pinned key ID \(String(repeating: "0", count: 64))"), "\(refused.stderr)")
        // A wildcard entry applies to the GUNs under it.
        let wildcard = try fixture.home([
            "remote_server": ["url": fixture.server.url, "root_ca": "server-ca.crt"],
            "trust_pinning": ["certs": ["example.com/configured/*": [String(repeating: "0", count: 64)]]],
        ])
        #expect(try fixture.signet(["verify", "\(Self.gun):1.0"], home: wildcard).status == 1)
        // A CA pin: the root certificate is self-signed, so the server's TLS CA does not anchor it.
        let caPinned = try fixture.home([
            "remote_server": ["url": fixture.server.url, "root_ca": "server-ca.crt"],
            "trust_pinning": ["ca": ["example.com/": "server-ca.crt"]],
        ])
        let caRefused = try fixture.signet(["verify", "\(Self.gun):1.0"], home: caPinned)
        #expect(caRefused.status == 1, "\(caRefused.stderr)")
        #expect(caRefused.stderr.contains("does not match the pinned CA"), "\(caRefused.stderr)")
    }

    @Test func aNotaryConfigFileGivenWithDashC() throws {
        let fixture = try Fixture()
        let notaryDir = fixture.work.appendingPathComponent("dot-notary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: notaryDir.appendingPathComponent("certs"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.ca, toPath: notaryDir.appendingPathComponent("certs/root-ca.crt").path)
        let config: [String: Any] = [
            "trust_dir": notaryDir.appendingPathComponent("trust").path,
            "remote_server": ["url": fixture.server.url, "root_ca": "certs/root-ca.crt", "skipTLSVerify": false],
            "trust_pinning": ["certs": [Self.gun: [fixture.rootKeyID]], "disable_tofu": true],
        ]
        let file = notaryDir.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        let home = fixture.work.appendingPathComponent("empty-home-\(UUID().uuidString)")
        let verify = try fixture.signet(["-c", file.path, "verify", "\(Self.gun):1.0"], home: home)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout == Self.digest + "\n")
        // trust_dir from the config is where the trust data went.
        #expect(FileManager.default.fileExists(atPath: notaryDir.appendingPathComponent("trust/tuf/\(Self.gun)/metadata/root.json").path))

        // disable_tofu: a GUN with no pin and no trusted root is refused, as Notary does.
        let other = try fixture.signet(["-c", file.path, "list", "example.com/unpinned/app"], home: home)
        #expect(other.status == 1, "\(other.stderr)")
        #expect(other.stderr.contains("invalid trust pinning specified"), "\(other.stderr)")

        // A -c file that does not exist, or a key of the wrong type, is bad input naming it.
        let missing = try fixture.signet(["-c", notaryDir.appendingPathComponent("nope.json").path, "list", Self.gun], home: home)
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(missing.stderr.contains("nope.json"), "\(missing.stderr)")
        try Data(#"{"remote_server": {"url": 5}}"#.utf8).write(to: file)
        let wrong = try fixture.signet(["-c", file.path, "list", Self.gun], home: home)
        #expect(wrong.status == 2, "\(wrong.stderr)")
        #expect(wrong.stderr.contains("remote_server.url must be a string"), "\(wrong.stderr)")
        try Data(#"{"remote_server": {"url": "https://127.0.0.1:1", "timeout": 0}}"#.utf8).write(to: file)
        let zero = try fixture.signet(["-c", file.path, "list", Self.gun], home: home)
        #expect(zero.status == 2, "\(zero.stderr)")
        #expect(zero.stderr.contains("remote_server.timeout 0.0 is not a number of seconds in 0.001…86400"), "\(zero.stderr)")
        try Data(#"{"remote_server": {"url": "https://x", "skipTLSVerify": true}}"#.utf8).write(to: file)
        let skip = try fixture.signet(["-c", file.path, "list", Self.gun], home: home)
        #expect(skip.status == 2, "\(skip.stderr)")
        #expect(skip.stderr.contains("skipTLSVerify"), "\(skip.stderr)")
    }

    @Test func flagBeatsEnvironmentBeatsConfigFile() throws {
        let fixture = try Fixture()
        let closed = "https://127.0.0.1:\(try FreePort.pick())"
        let home = try fixture.home(["remote_server": ["url": closed, "root_ca": "server-ca.crt", "timeout": 5]])
        // Config alone: its (closed) server is used.
        let config = try fixture.signet(["list", Self.gun], home: home)
        #expect(config.status == 3, "\(config.stderr)")
        #expect(config.stderr.contains("cannot reach the trust server at \(closed)"), "\(config.stderr)")
        // The environment beats the config file.
        let env = try fixture.signet(["list", Self.gun], home: home, environment: ["SIGNET_SERVER": fixture.server.url])
        #expect(env.status == 0, "\(env.stderr)")
        // The flag beats the environment (a fresh HOME: with trust data cached, an unreachable
        // server falls back to the cache).
        let other = try fixture.home(["remote_server": ["url": closed, "root_ca": "server-ca.crt", "timeout": 5]])
        let flag = try fixture.signet(["-s", closed, "list", Self.gun], home: other, environment: ["SIGNET_SERVER": fixture.server.url])
        #expect(flag.status == 3, "\(flag.stderr)")
        #expect(flag.stderr.contains(closed), "\(flag.stderr)")
    }

    /// `SIGNET_SERVER=https://…` alone failed every command with "unable to get local issuer
    /// certificate": the CA could only be a flag. `SIGNET_TLS_CA` names it.
    @Test func signetTLSCAFromTheEnvironment() throws {
        let fixture = try Fixture()
        let home = fixture.work.appendingPathComponent("env-home-\(UUID().uuidString)")
        let without = try fixture.signet(["list", Self.gun], home: home, environment: ["SIGNET_SERVER": fixture.server.url])
        #expect(without.status == 3, "\(without.stderr)")
        #expect(without.stderr.contains("unable to get local issuer certificate"), "\(without.stderr)")
        let with = try fixture.signet(["list", Self.gun], home: home, environment: ["SIGNET_SERVER": fixture.server.url, "SIGNET_TLS_CA": fixture.ca])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stdout.contains(Self.digest))
    }
}
