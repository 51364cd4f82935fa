import Foundation
import SignetHTTP

/// Plain-HTTP requests with the target sent exactly as given (no normalisation), for probes and
/// hostile input.
enum RawHTTP {
    static func send(port: Int, method: String, target: String, headers: [(String, String)] = [], body: [UInt8] = []) throws -> HTTPResponse {
        let client = HTTPClient(timeout: 30)
        var fields = HTTPHeaders()
        for (name, value) in headers { fields.add(name, value) }
        return try client.send(method: method, url: "http://127.0.0.1:\(port)\(target)", headers: fields, body: body)
    }

    /// A multipart body as the notary client sends it.
    static func multipart(_ parts: [(name: String, filename: String, body: [UInt8])]) -> (contentType: String, body: [UInt8]) {
        let boundary = Multipart.randomBoundary()
        return (Multipart.contentType(boundary: boundary), Multipart.encode(parts: parts, boundary: boundary))
    }
}
