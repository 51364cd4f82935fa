import FoundationEssentials
import Synchronization

/// Prometheus counters in notary-server's naming:
/// `notary_server_http_requests_total{code,method,operation}`.
final class Metrics: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func record(status: Int, method: String, operation: String) {
        let key = #"code="\#(status)",method="\#(method.lowercased())",operation="\#(operation)""#
        counts.withLock { $0[key, default: 0] += 1 }
    }

    /// The text exposition format (version 0.0.4).
    func render() -> String {
        let snapshot = counts.withLock { $0 }
        var out = "# HELP notary_server_http_requests_total Number of HTTP requests by status code, method and operation.\n"
        out += "# TYPE notary_server_http_requests_total counter\n"
        for key in snapshot.keys.sorted() {
            out += "notary_server_http_requests_total{\(key)} \(snapshot[key]!)\n"
        }
        return out
    }
}
