import Foundation
import SignetHTTP
@testable import SignetServer
import Testing

/// Markup injection (stored and reflected cross-site scripting) into the web page (issue 17 §3):
/// tag names are any string a publisher signs and query parameters are whatever a link says, so
/// each must reach the page as text — never as an element, an attribute or a new URL parameter —
/// and the CSP (`default-src 'none'`) would still stop a script that got through.
@Suite("Attack: markup injection (web page)") struct MarkupInjectionAttackTests {
    static let gun = ServerBehaviourTests.gun
    static let hostileTags = [#""><img src=x onerror=alert(1)>"#, "</td><script>alert(2)</script>", "' onmouseover='alert(3)", "a&tag=b"]

    @Test func storedAndReflectedStringsStayText() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        let notary = try ServerBehaviourTests().publishSample(server, scratch)
        for tag in Self.hostileTags {
            let result = try notary.run(["add", Self.gun, tag, "fixtures/notary-0.7/inputs/hello.txt"])
            try #require(result.status == 0, "\(tag): \(result.stderr)")
        }
        try #require(try notary.run(["publish", Self.gun]).status == 0)

        let page = try server.get("/ui/collection?gun=" + HTMLText.queryValue(Self.gun))
        #expect(page.status == 200)
        let html = page.bodyText
        #expect(!html.contains("<img") && !html.contains("<script") && !html.contains("' onmouseover"), "\(html)")
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"), "\(html)")
        #expect(html.contains("&lt;/td&gt;&lt;script&gt;alert(2)&lt;/script&gt;"), "\(html)")
        #expect(html.contains("&#39; onmouseover=&#39;alert(3)"), "\(html)")
        // Each tag's history link carries it percent-encoded: it cannot add a parameter.
        #expect(html.contains("&amp;tag=a%26tag%3Db\""), "\(html)")
        #expect(html.contains("&amp;tag=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E\""), "\(html)")

        // Reflected: a tag in the query is shown in the heading, escaped.
        let reflected = try server.get("/ui/history?gun=" + HTMLText.queryValue(Self.gun) + "&tag=" + HTMLText.queryValue("<script>alert(4)</script>"))
        #expect(reflected.status == 200)
        #expect(!reflected.bodyText.contains("<script"), "\(reflected.bodyText)")
        #expect(reflected.bodyText.contains("&lt;script&gt;alert(4)&lt;/script&gt;"), "\(reflected.bodyText)")
        #expect(reflected.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'self'")
        // A GUN in the query that is not stored is the API's 404, not echoed back.
        let unknown = try server.get("/ui/collection?gun=" + HTMLText.queryValue("example.com/<script>alert(5)</script>"))
        #expect(unknown.status == 404 && !unknown.bodyText.contains("<script"), "\(unknown.bodyText)")
    }

    @Test func escapingCoversEveryMarkupCharacter() {
        #expect(HTMLText.escape(#"<a href="x" title='y'>&</a>"#) == "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;")
        #expect(HTMLText.escape("a\u{0}b\u{1B}c\u{85}d\te\n") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\te\n")
        #expect(HTMLText.queryValue("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9")
    }
}
