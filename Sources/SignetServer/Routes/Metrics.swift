import FoundationEssentials
import SignetTUF
import Synchronization

/// Prometheus counters in notary-server's naming:
/// `notary_server_http_requests_total{code,method,operation}`.
final class Metrics: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    /// `GET`s of current metadata answered `200` from the cache on the event loop, counted apart from
    /// `counts` so that the hot path builds no label string; `render` adds them to their series.
    private let cachedRoleAnswers = Atomic<Int>(0)
    private static let cachedRoleKey = #"code="200",method="get",operation="GetRole""#

    /// The methods that keep their own `method` label (lower case, as notary-server writes it).
    /// Any other method a client sends is counted as `other`, so the number of series stays bounded
    /// whatever clients write in their request lines.
    static let methodLabels: [String: String] = Dictionary(
        uniqueKeysWithValues: ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"].map { ($0, $0.lowercased()) })

    /// Counts one answered request. `method` is the client's, compared as bytes with
    /// `methodLabels` as the router compares it (RFC 9110 §9.1: methods are case-sensitive, so
    /// `get` is `other`); `status` and `operation` come from the server.
    func record(status: Int, method: String, operation: String) {
        let label = ExactName.value(in: Self.methodLabels, for: method) ?? "other"
        let key = #"code="\#(status)",method="\#(label)",operation="\#(operation)""#
        counts.withLock { $0[key, default: 0] += 1 }
    }

    /// Counts one `GET` of current metadata answered from the cache (`TrustServer.cachedResponse`):
    /// the same series as `record(status:method: "GET", operation: "GetRole")`.
    func recordCachedRole(status: Int) {
        guard status == 200 else { return record(status: status, method: "GET", operation: "GetRole") }
        cachedRoleAnswers.add(1, ordering: .relaxed)
    }

    /// The text exposition format (version 0.0.4).
    func render() -> String {
        var snapshot = counts.withLock { $0 }
        let cached = cachedRoleAnswers.load(ordering: .relaxed)
        if cached > 0 { snapshot[Self.cachedRoleKey, default: 0] += cached }
        var out = "# HELP notary_server_http_requests_total Number of HTTP requests by status code, method and operation.\n"
        out += "# TYPE notary_server_http_requests_total counter\n"
        for key in snapshot.keys.sorted() {
            out += "notary_server_http_requests_total{\(key)} \(snapshot[key]!)\n"
        }
        return out
    }
}
