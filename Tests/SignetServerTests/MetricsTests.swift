import Foundation
import SignetHTTP
@testable import SignetServer
import Testing

/// `/metrics` (`Sources/SignetServer/Routes/Metrics.swift`): notary-server's counter names, and
/// labels from a bounded set whatever the clients send.
@Suite struct MetricsTests {
    /// The series lines of `notary_server_http_requests_total` in a `/metrics` body, by labels.
    static func series(_ body: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for line in body.split(separator: "\n") where line.hasPrefix("notary_server_http_requests_total{") {
            guard let close = line.lastIndex(of: "}"), let count = Int(line[line.index(after: close)...].trimmingCharacters(in: .whitespaces)) else {
                Issue.record("unreadable series line: \(line)")
                continue
            }
            out[String(line[..<line.index(after: close)])] = count
        }
        return out
    }

    /// The method label comes from the request line, which the client writes: 1,000 distinct
    /// methods must not become 1,000 series (a Prometheus server scraping us would store each
    /// one forever). Unknown methods are counted together under `method="other"`.
    @Test func distinctClientMethodsDoNotMakeDistinctSeries() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let server = try InProcessServer(storage: scratch.path + "/data")
        defer { server.stop() }
        for index in 0..<1000 {
            let response = try RawHTTP.send(port: server.port, method: "M\(index)", target: "/v2/")
            try #require(response.status >= 400, "method M\(index) answered \(response.status)")
        }
        _ = try server.get("/v2/")
        let series = Self.series(try server.get("/metrics").bodyText)
        #expect(series.count <= 10, "\(series.count) series: \(series.keys.sorted().prefix(20))")
        let other = series.filter { $0.key.contains(#"method="other""#) }.values.reduce(0, +)
        #expect(other == 1000, "\(series)")
        #expect(series.keys.contains { $0.contains(#"method="get""#) }, "\(series)")
        #expect(!series.keys.contains { $0.contains(#"method="m"#) }, "\(series)")
    }

    /// The methods HTTP defines keep their own lower-case label, as notary-server writes them;
    /// methods are compared as bytes, as the router compares them (`get` is not `GET`).
    @Test func knownMethodsKeepTheirLabel() throws {
        let metrics = Metrics()
        for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "GET", "get", "Get"] {
            metrics.record(status: 200, method: method, operation: "Test")
        }
        let series = Self.series(metrics.render())
        #expect(series[#"notary_server_http_requests_total{code="200",method="get",operation="Test"}"#] == 2, "\(series)")
        #expect(series[#"notary_server_http_requests_total{code="200",method="other",operation="Test"}"#] == 2, "\(series)")
        for label in ["head", "post", "put", "delete", "options", "patch"] {
            #expect(series[#"notary_server_http_requests_total{code="200",method="\#(label)",operation="Test"}"#] == 1, "\(label): \(series)")
        }
        #expect(series.count == 8, "\(series)")
    }

    /// GETs answered from the cache on the event loop are counted apart (no label string per
    /// request) and must still appear in the same series as the ones a worker answers.
    @Test func cachedAnswersAreCountedInTheGetRoleSeries() {
        let metrics = Metrics()
        metrics.record(status: 200, method: "GET", operation: "GetRole")
        for _ in 0..<3 { metrics.recordCachedRole(status: 200) }
        metrics.recordCachedRole(status: 404)
        let series = Self.series(metrics.render())
        #expect(series[#"notary_server_http_requests_total{code="200",method="get",operation="GetRole"}"#] == 4, "\(series)")
        #expect(series[#"notary_server_http_requests_total{code="404",method="get",operation="GetRole"}"#] == 1, "\(series)")
        #expect(series.count == 2, "\(series)")
    }
}
