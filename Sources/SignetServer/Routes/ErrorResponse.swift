import SignetHTTP
import SignetTUF

extension NotaryError {
    /// The docker/distribution errcode envelope (reference §2.4), fields in Go's order:
    /// `{"errors":[{"code":…,"message":…,"detail":…}]}`, `application/json; charset=utf-8`.
    var response: HTTPResponse {
        var body = Array(#"{"errors":[{"code":"#.utf8)
        body += Self.jsonString(code.rawValue)
        body += Array(#","message":"#.utf8)
        body += Self.jsonString(message)
        switch detail {
        case .absent: break
        case .empty: body += Array(#","detail":{}"#.utf8)
        case .text(let text): body += Array(#","detail":"#.utf8) + Self.jsonString(text)
        case .raw(let json): body += Array(#","detail":"#.utf8) + Array(json.utf8)
        case .json(let value):
            body += Array(#","detail":"#.utf8)
            body += (try? CanonicalJSON.encode(value, htmlEscaped: true)) ?? Array("{}".utf8)
        }
        body += Array("}]}".utf8)
        return HTTPResponse(status: code.status, headers: ["Content-Type": "application/json; charset=utf-8"], body: body)
    }

    /// The envelope for a storage failure (`StorageError.Kind` documents each answer); an outage
    /// is `503 UNAVAILABLE`, never a `500` nor a `404` that would say the collection does not exist.
    init(_ storage: StorageError) {
        let log = "\(storage)"
        switch storage.kind {
        case .invalidName:
            if let role = storage.role {
                self.init(.invalidRole, detail: .text(role), log: log)
            } else {
                self.init(.invalidGUN, detail: .text(storage.reason), log: log)
            }
        case .versionConflict: self.init(.version, log: log)
        case .unavailable, .loginRefused: self.init(.unavailable, log: log)
        case .incompatible: self.init(.unknown, log: log)
        case .io: self.init(.updating, log: log)
        case .corrupt: self.init(.unknown, log: log)
        }
    }

    static func jsonString(_ text: String) -> [UInt8] {
        (try? CanonicalJSON.encode(.string(text), htmlEscaped: true)) ?? Array(#""""#.utf8)
    }
}
