import Foundation
import SignetHTTP
import SignetTUF
import SignetTestSupport
import Testing

/// The real notary 0.7 client against `signet serve`, replaying `fixtures/notary-0.7/cli/` step by
/// step (exit codes, and stdout where it is deterministic), with the recorded server probes
/// (`fixtures/notary-0.7/errors/`) replayed at the points where notary-server was probed.
@Suite(.serialized) struct InteropTests {
    /// Transcripts whose stdout holds random key IDs, local paths or timestamps; only the exit code
    /// is compared for them.
    static let stdoutNotCompared: Set<String> = [
        "01-init", "02-status-after-init", "08-status-pending", "18-delegation-list-pending", "20-delegation-list",
        "36-key-list", "41-ssm-init", "48-key-list-final", "49-plain-http-init-publish",
    ]
    static let probesAfterDelete: Set<String> = ["get-root-after-delete", "get-timestamp-after-delete", "changefeed-gun-after-delete"]

    @Test func notaryClientFullWorkflowAndProbes() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try ServerProcess(storage: scratch.path + "/data")
        defer { server.stop() }
        let publisher = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/trust")
        let consumer = NotaryCLI(server: server.baseURL, trustDir: scratch.path + "/consumer")

        let probeNames = try Probe.allNames()
        let transcripts = try FileManager.default.contentsOfDirectory(atPath: Paths.fixtures.appendingPathComponent("cli").path)
            .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted()
        var probeFailures: [String] = []
        var probesRun = 0
        func runProbes(_ names: [String]) throws {
            for name in names {
                probesRun += 1
                if let failure = try replay(try Probe.load(name), port: server.port) { probeFailures.append(failure) }
            }
        }
        for name in transcripts {
            if name == "38-delete-remote" {
                try runProbes(probeNames.filter { !$0.hasPrefix("ssm-") && !Self.probesAfterDelete.contains($0) })
            }
            let transcript = try CLITranscript.load(name)
            let client = transcript.client == "nt_consumer" ? consumer : publisher
            let result = try client.run(transcript.arguments, stdin: transcript.stdinData)
            #expect(result.status == transcript.status, "\(name): exit \(result.status), notary-server gave \(transcript.status); stdout \(result.stdout) stderr \(result.stderr)")
            if !Self.stdoutNotCompared.contains(name) {
                // The client prints hash names in Go map order; the server has no say in it.
                let normalized = Self.normalizeGoMapOrder(result.stdout.replacingOccurrences(of: "127.0.0.1:\(server.port)", with: "127.0.0.1:<proxy-port>")
                    .replacingOccurrences(of: "by sha512, sha256 hash", with: "by sha256, sha512 hash"))
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(normalized == Self.normalizeGoMapOrder(transcript.stdout).trimmingCharacters(in: .whitespacesAndNewlines), "\(name): stdout differs")
            }
            if name == "38-delete-remote" { try runProbes(probeNames.filter { Self.probesAfterDelete.contains($0) }) }
            if name == "47-ssm-list" { try runProbes(probeNames.filter { $0.hasPrefix("ssm-") }) }
        }
        #expect(probesRun == probeNames.count)
        #expect(probeFailures.isEmpty, "probes that differ from notary-server 0.7:\n\(probeFailures.joined(separator: "\n"))")
        #expect(server.stop() == 0, "signet serve exits 0 on SIGTERM")
    }

    /// The main path over HTTPS, with a CA and server certificate made by the openssl CLI.
    @Test func notaryClientOverTLS() throws {
        guard RequiredTool.isInstalled(NotaryCLI.binary) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let dir = scratch.path
        let openssl = "/usr/bin/openssl"
        for arguments in [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/ca.key",
             "-out", "\(dir)/ca.crt", "-days", "30", "-subj", "/CN=Signet Test CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/server.key",
             "-out", "\(dir)/server.csr", "-subj", "/CN=127.0.0.1"],
        ] {
            let result = try runCommand(openssl, arguments)
            try #require(result.status == 0, "openssl \(arguments[0]): \(result.stderr)")
        }
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: "\(dir)/san.ext", atomically: true, encoding: .utf8)
        let sign = try runCommand(openssl, ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key",
                                            "-CAcreateserial", "-out", "\(dir)/server.crt", "-days", "30", "-extfile", "\(dir)/san.ext"])
        try #require(sign.status == 0, "openssl x509: \(sign.stderr)")

        let server = try ServerProcess(storage: dir + "/data", extraArguments: ["--tls-cert", "\(dir)/server.crt", "--tls-key", "\(dir)/server.key"], tls: true)
        defer { server.stop() }
        let notary = NotaryCLI(server: server.baseURL, trustDir: dir + "/trust", caFile: "\(dir)/ca.crt")
        for name in ["01-init", "03-publish-initial", "04-add-file", "05-add-file-custom", "06-addhash-sha256",
                     "07-addhash-sha256-sha512", "09-publish-targets", "10-list", "11-lookup", "12-lookup-missing", "13-verify-stdin"] {
            let transcript = try CLITranscript.load(name)
            let result = try notary.run(transcript.arguments, stdin: transcript.stdinData)
            #expect(result.status == transcript.status, "\(name) over TLS: exit \(result.status); \(result.stdout) \(result.stderr)")
            if name == "10-list" || name == "11-lookup" {
                #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == transcript.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        // Without the CA the client refuses the server.
        let untrusted = NotaryCLI(server: server.baseURL, trustDir: dir + "/trust2")
        let refused = try untrusted.run(["list", "example.com/library/app"])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("x509: certificate signed by unknown authority"), "\(refused.stdout) \(refused.stderr)")
    }

    // MARK: Probe replay

    /// Sends the probe's request to Signet and returns a description of the difference, or nil.
    func replay(_ probe: Probe, port: Int) throws -> String? {
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        if let raw = probe.rawBody {
            headers.append(("Content-Type", raw.contentType))
            body = try probeFile(raw.path, port: port)
        } else if !probe.parts.isEmpty {
            let encoded = RawHTTP.multipart(try probe.parts.map { ($0.field, $0.filename, try probeFile($0.path, port: port)) })
            headers.append(("Content-Type", encoded.contentType))
            body = encoded.body
        }
        let response = try RawHTTP.send(port: port, method: probe.method, target: probe.target, headers: headers, body: body)
        let actual = response.bodyText
        let summary = "\(probe.name): \(probe.method) \(probe.target)"
        guard response.status == probe.status else {
            return "\(summary): status \(response.status), expected \(probe.status); body \(actual.prefix(300))"
        }
        if probe.body.hasPrefix(#"{"errors""#) {
            guard actual == probe.body else { return "\(summary): body\n  got      \(actual)\n  expected \(probe.body)" }
            guard response.headers["Content-Type"] == "application/json; charset=utf-8" else { return "\(summary): error Content-Type \(response.headers["Content-Type"] ?? "none")" }
            return nil
        }
        if probe.name.hasPrefix("changefeed") {
            guard let expected = try? JSONParser.parse(Array(probe.body.utf8)), let got = try? JSONParser.parse(response.body) else {
                return "\(summary): changefeed body is not JSON: \(actual.prefix(300))"
            }
            let expectedRecords = expected["records"]?.arrayValue ?? [], gotRecords = got["records"]?.arrayValue ?? []
            guard got["count"] == expected["count"], gotRecords.count == expectedRecords.count else {
                return "\(summary): count \(got["count"].map { "\($0)" } ?? "nil"), expected \(expected["count"].map { "\($0)" } ?? "nil")"
            }
            for (mine, theirs) in zip(gotRecords, expectedRecords) {
                guard mine["Version"] == theirs["Version"], mine["Category"] == theirs["Category"], mine["GUN"] == theirs["GUN"],
                      mine["ID"]?.stringValue != nil, mine["SHA256"]?.stringValue?.count == theirs["SHA256"]?.stringValue?.count else {
                    return "\(summary): record \(mine) differs in shape from \(theirs)"
                }
            }
            return nil
        }
        if probe.name == "get-metrics" {
            return actual.contains("notary_server_http_requests_total{") ? nil : "\(summary): no notary_server_http_requests_total counters"
        }
        if probe.target.hasSuffix(".key") {
            guard let key = try? JSONParser.parse(response.body), key["keytype"]?.stringValue == "ed25519",
                  actual.hasPrefix(#"{"keytype":"ed25519","keyval":{"public":""#), actual.hasSuffix(#"","private":null}}"#) else {
                return "\(summary): key body \(actual)"
            }
            return nil
        }
        return actual == probe.body ? nil : "\(summary): body \(actual.prefix(200)), expected \(probe.body.prefix(200))"
    }

    /// The bytes a probe uploaded, rebuilt from what this server holds at the same point.
    func probeFile(_ path: String, port: Int) throws -> [UInt8] {
        func get(_ gun: String, _ file: String) throws -> [UInt8] {
            let response = try RawHTTP.send(port: port, method: "GET", target: "/v2/\(gun)/_trust/tuf/\(file)")
            guard response.status == 200 else { throw TestFailure("GET \(gun) \(file): \(response.status)") }
            return response.body
        }
        switch path {
        case "<work>/garbage":
            return Array("this is not JSON metadata\n".utf8)
        case "<work>/targets-badsig.json", "<work>/ssm-targets-badsig.json", "<work>/targets-corruptsig.json":
            let gun = path.contains("ssm") ? "example.com/library/app-ssm" : "example.com/library/app"
            var file = try MetadataFile.parse(try get(gun, "targets.json"), role: "targets")
            if path.contains("corrupt") {
                file.signatures[0].value[file.signatures[0].value.count - 1] ^= 0xFF
            } else if case .object(var signed) = file.signed, let version = signed["version"]?.intValue {
                signed["version"] = .int(version + 1)
                file.signed = .object(signed)
            }
            return try file.serialized()
        default:
            // metadata/<gun with / as _>/<stage>/<file>
            let pieces = path.split(separator: "/").map(String.init)
            guard pieces.count >= 4, pieces[0] == "metadata" else { throw TestFailure("unknown probe file \(path)") }
            let gun = pieces[1].replacingOccurrences(of: "_", with: "/")
            let file = pieces[3...].joined(separator: "/")
            if pieces[2].hasPrefix("01-initial") {
                // The first version the client uploaded.
                let role = String(file.dropLast(5))
                for version in 1...5 {
                    if let bytes = try? get(gun, "\(version).\(role).json") { return bytes }
                }
                throw TestFailure("no early version of \(role) for \(gun)")
            }
            return try get(gun, file)
        }
    }

    /// `notary verify` reports whichever hash it checks first, in Go map order: "sha256 checksum …
    /// did not match: expected <hex>" or the sha512 one. Both mean the same refusal.
    static func normalizeGoMapOrder(_ text: String) -> String {
        guard let regex = try? NSRegularExpression(pattern: "sha(256|512) checksum for (\\S+) did not match: expected [0-9a-f]+") else { return text }
        return regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "sha<N> checksum for $2 did not match")
    }
}
