import Foundation
import SignetHTTP
@testable import SignetServer
import SignetTestSupport
import Testing

/// Issue 17 §3: the read-only web page of the trust server, loaded in a real browser (headless
/// Chromium, Debian `chromium`): the collections, a collection's tags, delegations and SVG expiry
/// timeline, a tag's history; access control exactly as the API's; every stored string escaped;
/// the CSP `default-src 'none'; style-src 'self'`; off with `--no-ui`. Screenshots are kept in
/// `.build/test-artifacts/`.
@Suite(.serialized) struct WebPageTests {
    static let chromium = "/usr/bin/chromium"
    static let gun = ServerBehaviourTests.gun
    static let scriptTag = "<script>document.title='owned'</script>"

    /// `chromium --headless --dump-dom URL`: the DOM after loading, serialised.
    static func dumpDOM(_ url: String, _ scratch: TemporaryDirectory) throws -> String {
        let result = try runCommand("/usr/bin/timeout", ["120", chromium] + flags(scratch) + ["--dump-dom", url])
        try #require(result.status == 0, "chromium --dump-dom \(url): \(result.status) \(result.stderr.suffix(2000))")
        return result.stdout
    }

    /// `chromium --headless --screenshot`, kept as `.build/test-artifacts/<name>.png`.
    static func screenshot(_ url: String, name: String, _ scratch: TemporaryDirectory) throws -> URL {
        let directory = Paths.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("\(name).png")
        try? FileManager.default.removeItem(at: file)
        let result = try runCommand("/usr/bin/timeout", ["120", chromium] + flags(scratch) + ["--window-size=1000,900", "--screenshot=\(file.path)", url])
        try #require(result.status == 0, "chromium --screenshot \(url): \(result.stderr.suffix(2000))")
        return file
    }

    static func flags(_ scratch: TemporaryDirectory) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(scratch.path)/chromium-profile"]
    }

    static func addScriptTag(_ notary: NotaryCLI) throws {
        for arguments in [["add", gun, scriptTag, "fixtures/notary-0.7/inputs/hello.txt"], ["publish", gun]] {
            let result = try notary.run(arguments)
            try #require(result.status == 0, "notary \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)")
        }
    }

    @Test func pagesRenderInChromiumWithEscapingCSPAndTheExpiryTimeline() throws {
        guard RequiredTool.isInstalled(Self.chromium) else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let notary = try ServerBehaviourTests().publishSample(server, scratch)
        try Self.addScriptTag(notary)
        for transcript in ["16-delegation-add", "17-key-import-delegation", "19-publish-delegation", "21-add-to-delegation", "23-publish-delegated"] {
            let result = try notary.run(try CLITranscript.load(transcript).arguments)
            try #require(result.status == 0, "\(transcript): \(result.stdout) \(result.stderr)")
        }
        // 11 days on: the timestamp (14 days) has 3 days left, inside its warning window.
        server.clock.advance(days: 11)

        let index = try Self.dumpDOM(server.baseURL + "/", scratch)
        #expect(index.contains(">\(Self.gun)</a>"), "\(index)")
        #expect(index.contains("/ui/collection?gun=example.com%2Flibrary%2Fapp"), "\(index)")
        #expect(index.contains("class=\"near\"") && index.contains("timestamp in 2.9 days"), "\(index)")

        let collectionURL = server.baseURL + "/ui/collection?gun=" + HTMLText.queryValue(Self.gun)
        let page = try Self.dumpDOM(collectionURL, scratch)
        #expect(page.contains("<title>\(Self.gun)</title>"), "\(page)")
        #expect(page.contains(">hello</a>"), "the tag from the sample publish: \(page)")
        // The tag name is text, never markup: no script element ran (the title is unchanged) or exists.
        #expect(page.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"), "\(page)")
        #expect(!page.contains("<script"), "\(page)")
        #expect(!page.contains("owned</title>"), "\(page)")
        // The delegation with its threshold, keys and paths; its tag signed in it.
        #expect(page.contains("<td>targets/releases</td><td>1</td><td class=\"digest\">"), "\(page)")
        #expect(page.contains("\"\" (all)"), "--all-paths: \(page)")
        #expect(page.contains(">release-1.0</a>"), "\(page)")
        #expect(page.range(of: #">release-1\.0</a></td><td class="digest">sha256:[0-9a-f]{64}</td><td>\d+</td><td>targets/releases</td>"#, options: .regularExpression) != nil, "\(page)")
        // The SVG timeline: a bar per role, the timestamp highlighted.
        #expect(page.contains("<svg") && page.contains("class=\"timeline\""), "\(page)")
        for role in ["root", "targets", "snapshot", "timestamp", "targets/releases"] { #expect(page.contains(">\(role) v"), "\(role): \(page)") }
        #expect(page.contains("<g class=\"near\"><text x=\"0\" y=\"") && page.contains(">timestamp v"), "\(page)")
        #expect(page.contains("<g class=\"ok\"><text x=\"0\" y=\"19\">root v1</text>"), "\(page)")
        let shot = try Self.screenshot(collectionURL, name: "web-page-collection", scratch)
        let png = try Data(contentsOf: shot)
        #expect(png.count > 1000 && png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), "\(png.count) bytes")

        // A tag's history page, from the link on the collection page.
        let history = try Self.dumpDOM(server.baseURL + "/ui/history?gun=" + HTMLText.queryValue(Self.gun) + "&tag=" + HTMLText.queryValue(Self.scriptTag), scratch)
        #expect(history.contains(">added<") && history.contains("targets v"), "\(history)")
        #expect(!history.contains("<script"), "\(history)")
        _ = try Self.screenshot(server.baseURL + "/", name: "web-page-index", scratch)

        // Headers: CSP, HTML; the stylesheet is our own.
        let raw = try RawHTTP.send(port: server.port, method: "GET", target: "/", headers: [("Accept", "text/html")])
        #expect(raw.status == 200)
        #expect(raw.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'self'")
        #expect(raw.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(try server.get("/ui/style.css").headers["Content-Type"] == "text/css; charset=utf-8")
        // An API client asking for / gets notary-server's 404 as before.
        let api = try server.get("/")
        #expect(api.status == 404 && Probe.errorCode(api.bodyText) == "METADATA_NOT_FOUND", "\(api.bodyText)")
        // A collection that is not stored is the API's 404.
        #expect(try server.get("/ui/collection?gun=example.com%2Fnot%2Fthere").status == 404)
    }

    /// Access control as the API's: anonymous sees nothing (401, the browser is asked to log in),
    /// a user sees only the collections the policy lets them pull, and a collection page they may
    /// not pull is refused as `GET …/root.json` would be. `--no-ui` turns the page off.
    @Test func accessControlHidesCollectionsInChromium() throws {
        guard RequiredTool.isInstalled(Self.chromium), AuthFixture.notaryInstalled() else { return }
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        try AuthFixture.htpasswd([("alice", "alice-secret"), ("bob", "bob-secret")], at: scratch.path + "/htpasswd")
        try AuthFixture.write(#"""
        {"rules": [
          {"identities": ["alice"], "guns": ["example.com/team/*", "example.com/secret/*"], "actions": ["*"]},
          {"identities": ["bob"], "guns": ["example.com/team/*"], "actions": ["pull"]}
        ]}
        """#, to: scratch.path + "/policy.json")
        let server = try ServerProcess(storage: scratch.path + "/data",
                                       extraArguments: ["--htpasswd", scratch.path + "/htpasswd", "--policy", scratch.path + "/policy.json"])
        defer { server.stop() }
        try AuthFixture.write("hello\n", to: scratch.path + "/hello.txt")
        let alice = AuthFixture.notaryAuth("alice", "alice-secret")
        for gun in ["example.com/team/app", "example.com/secret/app"] {
            for arguments in [["init", gun], ["add", gun, "v1", scratch.path + "/hello.txt"], ["publish", gun]] {
                let result = try AuthFixture.notary(server.baseURL, trustDir: scratch.path + "/alice", auth: alice, arguments)
                try #require(result.status == 0, "notary \(arguments.joined(separator: " ")): \(result.stdout) \(result.stderr)")
            }
        }

        let anonymous = try Self.dumpDOM(server.baseURL + "/", scratch)
        #expect(!anonymous.contains("example.com/"), "\(anonymous)")
        let anonymousRaw = try RawHTTP.send(port: server.port, method: "GET", target: "/", headers: [("Accept", "text/html")])
        #expect(anonymousRaw.status == 401)
        #expect(anonymousRaw.headers.values(for: "WWW-Authenticate").contains(#"Basic realm="signet""#), "\(anonymousRaw.headers)")

        let base = "http://%@127.0.0.1:\(server.port)/"
        let bob = try Self.dumpDOM(base.replacingOccurrences(of: "%@", with: "bob:bob-secret@"), scratch)
        #expect(bob.contains(">example.com/team/app</a>"), "\(bob)")
        #expect(!bob.contains("example.com/secret"), "\(bob)")
        let aliceView = try Self.dumpDOM(base.replacingOccurrences(of: "%@", with: "alice:alice-secret@"), scratch)
        #expect(aliceView.contains(">example.com/team/app</a>") && aliceView.contains(">example.com/secret/app</a>"), "\(aliceView)")

        // bob asking for the secret collection's page directly: the API's refusal for its root.json.
        let bobBasic = AuthFixture.basic("bob", "bob-secret")
        let page = try RawHTTP.send(port: server.port, method: "GET", target: "/ui/collection?gun=example.com%2Fsecret%2Fapp", headers: [bobBasic])
        let api = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/example.com/secret/app/_trust/tuf/root.json", headers: [bobBasic])
        #expect(page.status == api.status && page.status == 403, "\(page.status) \(page.bodyText) vs \(api.status)")
        #expect(!page.bodyText.contains("v1"))
        let history = try RawHTTP.send(port: server.port, method: "GET", target: "/ui/history?gun=example.com%2Fsecret%2Fapp&tag=v1", headers: [bobBasic])
        #expect(history.status == 403, "\(history.bodyText)")
        server.stop()

        let off = try ServerProcess(storage: scratch.path + "/data2", extraArguments: ["--no-ui"])
        defer { off.stop() }
        let noUI = try RawHTTP.send(port: off.port, method: "GET", target: "/", headers: [("Accept", "text/html")])
        #expect(noUI.status == 404 && Probe.errorCode(noUI.bodyText) == "METADATA_NOT_FOUND", "\(noUI.bodyText)")
        #expect(try RawHTTP.send(port: off.port, method: "GET", target: "/ui/style.css").status == 404)
    }
}
