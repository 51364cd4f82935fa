import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF

/// A Notary-compatible trust server for one GUN (routes: reference §2.1).
///
/// Network failures become `ClientError(.unreachable)` (exit 3); error responses become
/// `ClientError(.rejected)` with the server's `code` and `message` (body read up to 1 KiB, like
/// Notary); a 404 on a metadata GET is "not found" (nil).
package struct RemoteServer: MetadataFetcher, Sendable {
    package var baseURL: String
    package var gun: String
    package var tls: TLSClientContext?
    /// Credentials and cached bearer tokens (`Auth/AuthSession.swift`).
    package var auth: AuthSession
    /// Seconds each request may take in total — connect, TLS handshake, head and body — including
    /// the requests to a token realm (`HTTPClient.timeout`). The CLI sets it from `--timeout` /
    /// `SIGNET_TIMEOUT`.
    package var timeout: Double = HTTPClient.defaultTimeout

    /// - Parameter credentials: sent when the server challenges (Basic, or to the token realm);
    ///   the CLI passes `Credentials.fromEnvironment()` (`SIGNET_AUTH`, else `NOTARY_AUTH`).
    package init(baseURL: String, gun: String, tls: TLSClientContext? = nil, credentials: Credentials? = nil) throws {
        try GUN.validate(gun)
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("http://") || base.hasPrefix("https://") else {
            throw ClientError(.usage, "server URL \(baseURL) must start with http:// or https://")
        }
        self.baseURL = base
        self.gun = gun
        self.tls = tls
        self.auth = AuthSession(credentials: credentials)
    }

    /// `<base>/v2/<gun>/_trust/tuf/`.
    var tufURL: String { "\(baseURL)/v2/\(Self.escape(gun))/_trust/tuf/" }

    /// `text` with every UTF-8 byte outside ASCII letters, digits and `-._~/:@` written as `%XX`.
    static func escape(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: "/:@")
    }

    /// The token scope a request needs (reference §1.6): reads `pull`, publish and server keys
    /// `push,pull`, delete `*`.
    func scope(method: String, url: String) -> String {
        let actions: String
        switch method {
        case "DELETE": actions = "*"
        case "POST": actions = "push,pull"
        default: actions = url.hasSuffix(".key") ? "push,pull" : "pull"
        }
        return "repository:\(gun):\(actions)"
    }

    func send(_ method: String, _ url: String, headers: HTTPHeaders = .init(), body: [UInt8] = [], maxBytes: Int = 1 << 20) throws -> HTTPResponse {
        let scope = scope(method: method, url: url)
        var response = try sendOnce(method, url, headers: headers, body: body, maxBytes: maxBytes, scope: scope)
        // A 401 with a challenge: fetch a token (or switch to Basic) and try once more.
        if response.status == 401, try auth.handleChallenge(response, scope: scope, serverURL: baseURL, tls: tls, timeout: timeout) {
            response = try sendOnce(method, url, headers: headers, body: body, maxBytes: maxBytes, scope: scope)
        }
        return response
    }

    private func sendOnce(_ method: String, _ url: String, headers: HTTPHeaders, body: [UInt8], maxBytes: Int, scope: String) throws -> HTTPResponse {
        let client = HTTPClient(tls: tls, timeout: timeout, maxResponseBytes: maxBytes)
        var headers = headers
        if let authorization = auth.authorization(scope: scope) { headers.add("Authorization", authorization) }
        do {
            return try client.send(method: method, url: url, headers: headers, body: body)
        } catch let error as HTTPError {
            if error.code == .tooLarge { throw TUFError(.tooLarge, "\(url): response larger than \(maxBytes) bytes") }
            throw ClientError(.unreachable, "cannot reach the trust server at \(baseURL): \(error.message)\(Self.timeoutHint(error))")
        }
    }

    /// After a timeout: how to allow more time.
    static func timeoutHint(_ error: HTTPError) -> String {
        error.code == .timeout ? " (allow more with --timeout SECONDS or SIGNET_TIMEOUT)" : ""
    }

    /// Turns an error response into `ClientError(.rejected)` with the server's code and message.
    func rejection(_ response: HTTPResponse, doing what: String, scope: String? = nil) -> ClientError {
        let scope = scope ?? "repository:\(gun):pull"
        let body = Array(response.body.prefix(1024))
        var detail = "HTTP \(response.status)"
        var serverMessage: String?
        if let value = try? JSONParser.parse(body), let first = value["errors"]?.arrayValue?.first {
            let code = first["code"]?.stringValue ?? "?"
            let message = first["message"]?.stringValue ?? ""
            serverMessage = message
            detail = "\(code): \(message)"
            if let inner = first["detail"], let text = try? CanonicalJSON.encode(inner) {
                detail += " \(String(decoding: text, as: UTF8.self))"
            }
            detail += " (HTTP \(response.status))"
        }
        if response.status == 401, auth.credentials != nil, response.headers.values(for: "WWW-Authenticate").contains(where: { $0.contains(#"error="insufficient_scope""#) }) {
            let sentence = PolicyDenial.message(response, serverMessage: serverMessage, user: auth.credentials?.user, scope: scope)
            return ClientError(.rejected, "\(what): access denied: \(sentence)")
        }
        if response.status == 401 {
            return ClientError(.rejected, "\(what): you are not authorized to perform this operation (set SIGNET_AUTH to base64 of user:password, or present a client certificate): \(detail)")
        }
        if response.status == 403 {
            let sentence = PolicyDenial.message(response, serverMessage: serverMessage, user: auth.credentials?.user, scope: scope)
            return ClientError(.rejected, "\(what): access denied: \(sentence)")
        }
        if response.status == 429 {
            return ClientError(.rejected, "\(what): too many failed logins from this address; wait and try again: \(detail)")
        }
        return ClientError(.rejected, "\(what): the trust server refused: \(detail)")
    }

    // MARK: - MetadataFetcher

    package func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        try RoleName.validate(request.role)
        let response = try send("GET", tufURL + request.fileName, maxBytes: request.maxLength)
        switch response.status {
        case 200: return response.body
        case 404: return nil
        default: throw rejection(response, doing: "GET \(request.fileName) for \(gun)")
        }
    }

    // MARK: - Keys, publish, delete

    /// `GET|POST …/<role>.key` — the server-held timestamp or snapshot key (POST: a new one).
    package func serverKey(_ role: String, create: Bool = false) throws -> TUFKey {
        guard role == RoleName.timestamp || role == RoleName.snapshot else {
            throw ClientError(.usage, "only timestamp and snapshot keys can be held by the server, not \(role)")
        }
        let response = try send(create ? "POST" : "GET", tufURL + "\(role).key")
        guard response.status == 200 else { throw rejection(response, doing: "getting the \(role) key of \(gun)", scope: "repository:\(gun):push,pull") }
        let value = try JSONParser.parse(response.body, what: "\(role) key")
        return try TUFKey(json: value, context: "server \(role) key", role: role)
    }

    /// Uploads `files` (role → bytes) in one multipart POST (field `files`, filename = role).
    package func publish(_ files: [(role: String, bytes: [UInt8])]) throws {
        let boundary = "signet" + UUID().uuidString.replacingLiterally("-", with: "").lowercased()
        let body = Multipart.encode(parts: files.map { (name: "files", filename: $0.role, body: $0.bytes) }, boundary: boundary)
        let response = try send("POST", tufURL, headers: HTTPHeaders([("Content-Type", "multipart/form-data; boundary=\(boundary)")]), body: body)
        guard (200..<300).contains(response.status) else { throw rejection(response, doing: "publishing \(gun)", scope: "repository:\(gun):push,pull") }
    }

    /// `DELETE …/_trust/tuf/`: removes all of the collection's metadata from the server.
    package func deleteCollection() throws {
        let response = try send("DELETE", tufURL)
        guard (200..<300).contains(response.status) else { throw rejection(response, doing: "deleting \(gun) on the server", scope: "repository:\(gun):*") }
    }
}
