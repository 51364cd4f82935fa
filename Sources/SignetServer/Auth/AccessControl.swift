import FoundationEssentials
import Logging
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF

/// How the trust server authenticates clients (see `docs/access-control.md`). With none of
/// `htpasswd`, `token` and `clientCertificates` set, access control is off.
package struct AuthSettings: Sendable {
    /// Docker-registry token auth with an external issuer (notary-server's `auth.type = token`).
    package struct Token: Sendable {
        package var realm: String
        package var service: String
        package var issuer: String
        /// PEM certificate(s) or public key(s) the issuer signs with.
        package var keyFile: String

        package init(realm: String, service: String, issuer: String, keyFile: String) {
            self.realm = realm
            self.service = service
            self.issuer = issuer
            self.keyFile = keyFile
        }
    }

    /// htpasswd file with bcrypt entries.
    package var htpasswdFile: String?
    package var token: Token?
    /// Mutual TLS: client certificates must chain to this CA file; the identity is the subject.
    package var tlsClientCAFile: String?
    /// The scope policy; nil = every authenticated identity has `*` on every GUN.
    package var policy: AccessPolicy?
    /// Failed logins per client address per minute before answering 429 for a minute.
    package var maxFailedLoginsPerMinute = 10
    /// Service name of the built-in token endpoint (htpasswd without an external issuer).
    package var builtInService = "signet"
    /// Realm URL of the built-in token endpoint; nil = derived from the request's Host header.
    package var builtInRealm: String?

    package init() {}

    /// True when at least one way to authenticate is configured.
    package var isEnabled: Bool { htpasswdFile != nil || token != nil || tlsClientCAFile != nil }
}

/// Decides, for every request, who is asking and whether the policy lets them: Basic credentials
/// against the htpasswd file, bearer tokens (Signet's own or an external issuer's JWT), or the
/// verified TLS client certificate's subject.
///
/// Answers (reference §2.4 envelope): `401 UNAUTHORIZED` with `WWW-Authenticate` when there are no
/// valid credentials or a bearer token lacks the scope (so a Docker-style client fetches a better
/// token); `403 DENIED` when a Basic or certificate identity lacks the scope (new credentials
/// would not help); `429 TOO_MANY_REQUESTS` while an address is blocked after failed logins.
package final class AccessControl: Sendable {
    package let settings: AuthSettings
    let htpasswd: HtpasswdFile?
    let jwt: JWTVerifier?
    let builtInTokens: BuiltInTokenService?
    let policy: AccessPolicy
    let limiter: LoginRateLimiter
    let logger: Logger
    let tlsEnabled: Bool

    /// Loads the htpasswd file, the token key file and the policy named in `settings`.
    /// - Throws: `HtpasswdFile.Problem`, `JWTVerifier.Refusal` or `AccessPolicy.Problem` naming the file.
    package init(settings: AuthSettings, tlsEnabled: Bool, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        self.tlsEnabled = tlsEnabled
        htpasswd = try settings.htpasswdFile.map { try HtpasswdFile(path: $0) }
        jwt = try settings.token.map { try JWTVerifier(keyFile: $0.keyFile, issuer: $0.issuer, service: $0.service) }
        builtInTokens = settings.htpasswdFile != nil && settings.token == nil ? BuiltInTokenService() : nil
        policy = settings.policy ?? .allowAll
        limiter = LoginRateLimiter(maxFailures: max(1, settings.maxFailedLoginsPerMinute))
    }

    /// How the request identified itself.
    enum Credential {
        case anonymous
        case basic(String)
        case bearer(identity: String?, claims: JWTVerifier.Claims?)
        case certificate(String)
    }

    /// nil when `request` may proceed; otherwise the response to send instead.
    /// - Parameters:
    ///   - route: the request's path as `TrustRoute.parse` reads it (the router's parse).
    ///   - logDenials: false keeps a policy denial out of the log (the web page asks once per
    ///     collection it might list).
    package func check(_ request: HTTPRequest, route: TrustRoute, logDenials: Bool = true) -> HTTPResponse? {
        let requirement = AccessRequirement.of(method: request.method, route: route)
        if route == .token, let builtInTokens {
            return tokenEndpoint(request, builtInTokens)
        }
        if requirement == .none { return nil }
        let address = LoginRateLimiter.address(of: request.remoteAddress)
        if let wait = limiter.blocked(address) { return Self.tooManyRequests(wait) }

        let credential: Credential
        switch authenticate(request, address: address) {
        case .success(let value): credential = value
        case .failure(let refusal): return unauthorized(request, requirement, error: refusal)
        }
        switch credential {
        case .anonymous:
            return unauthorized(request, requirement, error: nil)
        case .basic(let identity), .certificate(let identity):
            if granted(identity: identity, requirement) { return nil }
            if logDenials { logger.notice("access denied", metadata: ["identity": "\(identity)", "scope": "\(requirement.scope ?? "-")", "remote": "\(address)"]) }
            return denied(requirement, message: AccessDenial.message(identity: identity, requirement, granted: granted(identity: identity, requirement: requirement)))
        case .bearer(let identity, let claims):
            var allowed = false
            var holds = Set<AccessAction>()
            if let claims {
                holds = claims.actions(for: requirement)
                if settings.policy != nil { holds.formIntersection(granted(identity: claims.subject, requirement: requirement)) }
                // External token: its access claim must cover the scope, and the policy the subject.
                allowed = claims.actions(for: requirement).covers(Self.required(requirement))
                    && (settings.policy == nil || granted(identity: claims.subject, requirement))
            } else if let identity {
                allowed = granted(identity: identity, requirement)
                holds = granted(identity: identity, requirement: requirement)
            }
            if allowed { return nil }
            return unauthorized(request, requirement, error: "insufficient_scope",
                                message: AccessDenial.message(identity: identity ?? claims?.subject, requirement, granted: holds))
        }
    }

    /// For the event loop (`TrustServer.cachedResponse`), which must not block: true when `request`
    /// may proceed and that could be decided without slow work — a verified client certificate's
    /// subject or a token this server issued, granted the route's actions by the policy, from an
    /// address not blocked after failed logins. False otherwise, including every refusal, Basic
    /// credentials (a bcrypt comparison takes milliseconds) and an external issuer's JWT (a
    /// signature check): then the worker runs `check`, which answers, counts and logs as always.
    package func allowsWithoutWaiting(_ request: HTTPRequest, route: TrustRoute) -> Bool {
        let requirement = AccessRequirement.of(method: request.method, route: route)
        guard case .repository = requirement, limiter.blocked(LoginRateLimiter.address(of: request.remoteAddress)) == nil,
              let credential = credentialWithoutWaiting(request) else { return false }
        switch credential {
        case .certificate(let identity), .bearer(let identity?, nil): return granted(identity: identity, requirement)
        case .anonymous, .basic, .bearer: return false
        }
    }

    /// The credential when reading it is a table lookup: a token this server issued (valid and
    /// not expired), or — without an `Authorization` header — the verified client certificate's
    /// subject. nil when reading the credentials needs `authenticate`'s slow work or fails.
    func credentialWithoutWaiting(_ request: HTTPRequest) -> Credential? {
        if let header = request.headers["Authorization"] {
            let (scheme, value) = Self.splitAuthorization(header)
            guard scheme == "bearer", let identity = builtInTokens?.identity(of: value) else { return nil }
            return .bearer(identity: identity, claims: nil)
        }
        if settings.tlsClientCAFile != nil, let subject = request.peerCertificateSubject, !subject.isEmpty {
            return .certificate(subject)
        }
        return nil
    }

    enum Outcome { case success(Credential), failure(String) }

    /// Reads the credentials; a failure is counted against the address and logged (user name
    /// only, never the password or token).
    func authenticate(_ request: HTTPRequest, address: String) -> Outcome {
        if let quick = credentialWithoutWaiting(request) { return .success(quick) }
        if let header = request.headers["Authorization"] {
            let (scheme, value) = Self.splitAuthorization(header)
            switch scheme {
            case "basic" where htpasswd != nil:
                guard let (user, password) = Self.decodeBasic(value) else { return fail(address, user: nil, why: "malformed Basic credentials") }
                guard htpasswd?.verify(user: user, password: password) == true else { return fail(address, user: user, why: "wrong user or password") }
                return .success(.basic(user))
            case "bearer" where jwt != nil || builtInTokens != nil:
                if let jwt {
                    do {
                        let claims = try jwt.verify(value)
                        return .success(.bearer(identity: claims.subject, claims: claims))
                    } catch {
                        return fail(address, user: nil, why: "bearer token refused: \(error)")
                    }
                }
                // An anonymous built-in token: valid, grants nothing.
                if value.hasPrefix("signet."), value.utf8.count == 71 { return .success(.bearer(identity: nil, claims: nil)) }
                return fail(address, user: nil, why: "unknown or expired bearer token")
            default:
                return fail(address, user: nil, why: "unsupported authorization scheme")
            }
        }
        return .success(.anonymous)
    }

    private func fail(_ address: String, user: String?, why: String) -> Outcome {
        var metadata: Logger.Metadata = ["remote": "\(address)", "reason": "\(why)"]
        if let user { metadata["user"] = "\(user)" }
        logger.warning("failed login", metadata: metadata)
        if limiter.recordFailure(address) {
            logger.warning("too many failed logins; refusing the address for a while", metadata: ["remote": "\(address)", "seconds": "\(Int(limiter.blockSeconds))"])
        }
        return .failure("invalid_token")
    }

    /// The actions the policy gives `identity` on the requirement's GUN (`*` on every GUN for
    /// the catalog).
    func granted(identity: String, requirement: AccessRequirement) -> Set<AccessAction> {
        switch requirement {
        case .none, .authenticated: return Set(AccessAction.allCases)
        case .repository(let gun, _): return policy.actions(for: identity, gun: gun)
        case .catalog: return policy.actions(for: identity, gun: "*")
        }
    }

    func granted(identity: String, _ requirement: AccessRequirement) -> Bool {
        switch requirement {
        case .none, .authenticated: return true
        case .repository(let gun, let actions): return policy.actions(for: identity, gun: gun).covers(actions)
        case .catalog: return policy.actions(for: identity, gun: "*").covers([.all])
        }
    }

    static func required(_ requirement: AccessRequirement) -> [AccessAction] {
        switch requirement {
        case .none, .authenticated: return []
        case .repository(_, let actions): return actions
        case .catalog: return [.all]
        }
    }

    // MARK: - Built-in token endpoint

    private func tokenEndpoint(_ request: HTTPRequest, _ service: BuiltInTokenService) -> HTTPResponse {
        guard request.method == "GET" else { return NotaryError.routeNotFound.response }
        let address = LoginRateLimiter.address(of: request.remoteAddress)
        if let wait = limiter.blocked(address) { return Self.tooManyRequests(wait) }
        guard let header = request.headers["Authorization"] else { return service.issue(identity: nil) }
        let (scheme, value) = Self.splitAuthorization(header)
        guard scheme == "basic", let (user, password) = Self.decodeBasic(value) else {
            _ = fail(address, user: nil, why: "token request without Basic credentials")
            return basicChallenge()
        }
        guard htpasswd?.verify(user: user, password: password) == true else {
            _ = fail(address, user: user, why: "wrong user or password")
            return basicChallenge()
        }
        return service.issue(identity: user)
    }

    private func basicChallenge() -> HTTPResponse {
        var response = NotaryError(.unauthorized, detail: .raw("null")).response
        response.headers.add("WWW-Authenticate", #"Basic realm="signet""#)
        return response
    }

    // MARK: - Responses

    /// `401 UNAUTHORIZED` with the challenge: Bearer (external or built-in realm) when tokens are
    /// in use, Basic for htpasswd behind… nothing else; none for client certificates only.
    func unauthorized(_ request: HTTPRequest, _ requirement: AccessRequirement, error: String?, message: String = "authentication required") -> HTTPResponse {
        var response = NotaryError(.unauthorized, message: message, detail: .raw(Self.detail(requirement))).response
        if let challenge = challenge(request, requirement, error: error) { response.headers.add("WWW-Authenticate", challenge) }
        return response
    }

    func challenge(_ request: HTTPRequest, _ requirement: AccessRequirement, error: String?) -> String? {
        let realm: String, service: String
        if let token = settings.token {
            (realm, service) = (token.realm, token.service)
        } else if builtInTokens != nil {
            (realm, service) = (settings.builtInRealm ?? builtInRealm(request), settings.builtInService)
        } else {
            return nil
        }
        var text = "Bearer realm=\(QuotedString.quote(realm)),service=\(QuotedString.quote(service))"
        if let scope = requirement.scope { text += ",scope=\(QuotedString.quote(scope))" }
        if let error { text += #",error="\#(error)""# }
        return text
    }

    /// `<scheme>://<Host>/_signet/token`, with a Host header checked to be a plain host[:port].
    func builtInRealm(_ request: HTTPRequest) -> String {
        var host = request.headers["Host"] ?? ""
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_".utf8)
        if host.isEmpty || host.utf8.count > 255 || !host.utf8.allSatisfy({ allowed.contains($0) }) { host = "127.0.0.1" }
        return "\(tlsEnabled ? "https" : "http")://\(host)\(BuiltInTokenService.path)"
    }

    func denied(_ requirement: AccessRequirement, message: String = "requested access to the resource is denied") -> HTTPResponse {
        NotaryError(.denied, message: message, detail: .raw(Self.detail(requirement))).response
    }

    static func tooManyRequests(_ wait: Int) -> HTTPResponse {
        var response = NotaryError(.tooManyRequests, message: "too many failed login attempts; try again later", detail: .raw("null")).response
        response.headers.add("Retry-After", "\(wait)")
        return response
    }

    /// Notary's `detail` for auth errors: `[{"Type":"repository","Name":"<gun>","Action":"pull"}]`.
    static func detail(_ requirement: AccessRequirement) -> String {
        switch requirement {
        case .none, .authenticated: return "null"
        case .repository(let gun, let actions):
            return "[" + actions.map { #"{"Type":"repository","Name":"# + NotaryError.jsonText(gun) + #","Action":""# + $0.rawValue + #""}"# }.joined(separator: ",") + "]"
        case .catalog:
            return #"[{"Type":"registry","Name":"catalog","Action":"*"}]"#
        }
    }

    /// `("basic", "dXNlcjpwYXNz")` from `Basic dXNlcjpwYXNz`; the scheme lowercased.
    static func splitAuthorization(_ header: String) -> (String, String) {
        let trimmed = header.trimmingWhitespace()
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed.lowercased(), "") }
        return (trimmed[..<space].lowercased(), trimmed[space...].trimmingWhitespace())
    }

    /// `user:password` from base64, split at the first `:` byte (RFC 7617 §2); nil when malformed,
    /// not UTF-8, or the user is empty.
    static func decodeBasic(_ value: String) -> (String, String)? {
        guard let data = Data(base64Encoded: value), String(data: data, encoding: .utf8) != nil else { return nil }
        let bytes = [UInt8](data)
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon != 0 else { return nil }
        return (String(decoding: bytes[..<colon], as: UTF8.self), String(decoding: bytes[(colon + 1)...], as: UTF8.self))
    }
}
