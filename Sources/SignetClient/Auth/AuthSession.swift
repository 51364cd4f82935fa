import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF
import Synchronization

/// Authentication state shared by the requests of one `RemoteServer` (or one `RegistryClient`):
/// Basic credentials and the bearer tokens fetched for each scope, Docker-registry style
/// (docs/access-control.md; the distribution spec's token authentication).
///
/// On a `401` the server's challenge says what to do: `Basic` → resend with the credentials;
/// `Bearer realm=…,service=…,scope=…` → `GET realm?service=…&scope=…` (with Basic credentials when
/// there are any), then resend with `Authorization: Bearer <token>`. Tokens are cached per scope
/// until `expires_in` (default 60 s) runs out. Credentials are only sent to a realm that is
/// `https://` or on the server's own host. Tokens and passwords never appear in errors.
package final class AuthSession: Sendable {
    package let credentials: Credentials?
    /// What the server is, in messages: `trust server` or `registry`.
    let serverKind: String
    /// Where credentials come from, in messages: `SIGNET_AUTH` or `SIGNET_REGISTRY_AUTH`.
    let credentialsSource: String
    /// Bearer tokens by scope, and whether the server asked for Basic credentials.
    private let state = Mutex<(tokens: [ExactName.Key: (token: String, expires: Date)], useBasic: Bool)>((tokens: [:], useBasic: false))

    /// - Parameters:
    ///   - serverKind: how messages name the server (`trust server`, `registry`).
    ///   - credentialsSource: how messages say to give credentials (`SIGNET_AUTH`, …).
    package init(credentials: Credentials?, serverKind: String = "trust server", credentialsSource: String = "SIGNET_AUTH") {
        self.credentials = credentials
        self.serverKind = serverKind
        self.credentialsSource = credentialsSource
    }

    /// The `Authorization` header to send for `scope`, from what earlier challenges taught.
    func authorization(scope: String) -> String? {
        state.withLock { state in
            if let cached = state.tokens[ExactName.Key(scope)], cached.expires > Date() { return "Bearer " + cached.token }
            if state.useBasic, let credentials { return credentials.basicHeader }
            return nil
        }
    }

    /// Reacts to a 401: returns true when a retry may succeed (new token or Basic credentials).
    /// - Throws: `ClientError(.rejected)` when the token endpoint refuses (wrong password), or
    ///   `.unreachable` when it cannot be reached.
    /// - Parameter timeout: seconds the token request may take in total (`HTTPClient.timeout`).
    func handleChallenge(_ response: HTTPResponse, scope: String, serverURL: String, tls: TLSClientContext?, timeout: Double) throws -> Bool {
        let challenges = AuthChallenge.parse(response.headers.values(for: "WWW-Authenticate"))
        if let bearer = challenges.first(where: { $0.scheme == "bearer" }), let realm = bearer.parameters["realm"] {
            let token = try fetchToken(realm: realm, service: bearer.parameters["service"], scope: bearer.parameters["scope"] ?? scope,
                                       serverURL: serverURL, tls: tls, timeout: timeout)
            return state.withLock { state in
                let previous = state.tokens[ExactName.Key(scope)]?.token
                state.tokens[ExactName.Key(scope)] = token
                return previous != token.token
            }
        }
        if challenges.contains(where: { $0.scheme == "basic" }), credentials != nil {
            return state.withLock { state in
                if state.useBasic { return false }
                state.useBasic = true
                return true
            }
        }
        return false
    }

    private func fetchToken(realm: String, service: String?, scope: String, serverURL: String, tls: TLSClientContext?, timeout: Double) throws -> (token: String, expires: Date) {
        guard var components = URLComponents(string: realm), let scheme = components.scheme, scheme == "http" || scheme == "https" else {
            throw ClientError(.rejected, "the \(serverKind)'s token realm \(realm) is not an http(s) URL")
        }
        var items = components.queryItems ?? []
        if let service { items.append(URLQueryItem(name: "service", value: service)) }
        items.append(URLQueryItem(name: "scope", value: scope))
        if let credentials { items.append(URLQueryItem(name: "account", value: credentials.user)) }
        components.queryItems = items
        // Keep ':' and '/' of the scope readable but escape what a query must not hold.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingLiterally("+", with: "%2B")
        guard let url = components.string else { throw ClientError(.rejected, "cannot build a token request for \(realm)") }

        var headers = HTTPHeaders()
        if let credentials {
            let serverHost = URLComponents(string: serverURL)?.host
            guard scheme == "https" || components.host == serverHost else {
                throw ClientError(.rejected, "refusing to send credentials to the token realm \(realm) over plain HTTP on another host than the \(serverKind)")
            }
            headers.add("Authorization", credentials.basicHeader)
        }
        let client = HTTPClient(tls: tls, timeout: timeout, maxResponseBytes: 1 << 20)
        let response: HTTPResponse
        do {
            response = try client.send(method: "GET", url: url, headers: headers)
        } catch let error as HTTPError {
            throw ClientError(.unreachable, "cannot reach the token realm \(realm): \(error.message)\(RemoteServer.timeoutHint(error))")
        }
        if response.status == 401, credentials != nil {
            // The realm checked the password (Docker registry token servers, signet's built-in
            // one): say so, without saying whether the user or the password was wrong.
            throw ClientError(.rejected, "wrong user name or password for \(realm)")
        }
        guard response.status == 200 else {
            let who = credentials.map { " as \($0.user)" } ?? " without credentials (set \(credentialsSource))"
            throw ClientError(.rejected, "the token realm \(realm) refused to issue a token for \(scope)\(who): HTTP \(response.status)")
        }
        guard let json = try? JSONParser.parse(response.body, what: "token response"),
              let token = json["token"]?.stringValue ?? json["access_token"]?.stringValue, !token.isEmpty
        else { throw ClientError(.rejected, "the token realm \(realm) answered without a token") }
        let lifetime = json["expires_in"]?.intValue.map { max(1, Double($0)) } ?? 60
        return (token, Date().addingTimeInterval(max(1, lifetime - 5)))
    }
}
