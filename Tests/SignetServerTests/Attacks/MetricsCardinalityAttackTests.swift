import Foundation
import SignetHTTP
@testable import SignetServer
import Testing

/// Label-cardinality and label-injection attacks on `/metrics`' role gauges (issue 17): a client
/// that asks for, or fails to publish, thousands of distinct GUNs must not create a series for
/// each (a Prometheus server stores every series it ever scraped), and a GUN holding `"` or `}`
/// must not end its label early and forge another series. The gauges take GUNs only from what the
/// store holds (`StoredCollections`), and label values are escaped (`TrustServer.labelValue`).
@Suite("Attack: metrics label cardinality") struct MetricsCardinalityAttackTests {
    @Test func unstoredGUNsMakeNoSeries() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        for index in 0..<300 {
            let gun = "example.com/probe/\(index)\"}x"
            _ = try RawHTTP.send(port: server.port, method: "GET", target: "/v2/\(gun)/_trust/tuf/timestamp.json")
            // A publish that fails validation stores nothing.
            _ = try RawHTTP.send(port: server.port, method: "POST", target: "/v2/\(gun)/_trust/tuf/",
                                 headers: [("Content-Type", "multipart/form-data; boundary=x")], body: Array("--x--\r\n".utf8))
        }
        let metrics = try server.get("/metrics").bodyText
        let gauges = metrics.split(separator: "\n").filter { $0.hasPrefix("signet_role_") }
        #expect(gauges.isEmpty, "\(gauges.prefix(5))")
    }

    @Test func labelValuesAreEscaped() {
        #expect(TrustServer.labelValue(#"a"b\c"# + "\nd") == #"a\"b\\c\nd"#)
        #expect(TrustServer.labelValue("example.com/ok") == "example.com/ok")
    }
}
