import Foundation
import Logging
import SignetCrypto
import SignetHTTP

/// A tiny Docker-registry-style token issuer for tests: `GET /token?service=…&scope=…` answers
/// `{"token": <ES256 JWT>}`. With Basic `ci:ci-secret` it grants what the scope asks on GUNs
/// under `example.com/team/`; without credentials it issues a token that grants nothing (what
/// registries do for anonymous pulls), which is how the notary client falls back to its
/// credentials.
final class AuthTokenIssuer: @unchecked Sendable {
    // @unchecked Sendable: every stored property is immutable after init.
    let key: PrivateKey
    let issuer = "test-issuer"
    let service = "signet-test"
    let server: HTTPServer
    let keyFile: String

    init(directory: String) throws {
        let key = try PrivateKey.generate(.ecdsa)
        self.key = key
        keyFile = directory + "/token-signer.pem"
        try key.publicKey.pem().write(toFile: keyFile, atomically: true, encoding: .utf8)
        let box = Box()
        server = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0), logger: Logger(label: "token-issuer")) { request in
            box.issuer?.handle(request) ?? HTTPResponse(status: 503, headers: [:], body: [])
        }
        box.issuer = self
        try server.start()
    }

    final class Box: @unchecked Sendable { weak var issuer: AuthTokenIssuer? }

    var realm: String { "http://127.0.0.1:\(server.boundPort)/token" }

    func stop() { server.shutdown(gracePeriod: 1) }

    func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path == "/token" else { return HTTPResponse(status: 404, headers: [:], body: []) }
        var subject = ""
        var access: [(String, String, [String])] = []
        if let header = request.headers["Authorization"] {
            guard header == "Basic " + Data("ci:ci-secret".utf8).base64EncodedString() else {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="test""#], body: [])
            }
            subject = "ci"
            if let scope = request.query["scope"] {
                let parts = scope.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                if parts.count >= 3, parts[0] == "repository" {
                    let gun = parts[1..<(parts.count - 1)].joined(separator: ":")
                    let actions = parts[parts.count - 1].split(separator: ",").map(String.init)
                    if gun.hasPrefix("example.com/team/") { access.append(("repository", gun, actions)) }
                }
            }
        }
        let token = (try? mint(subject: subject, access: access)) ?? ""
        let body = #"{"token":"\#(token)","expires_in":300}"#
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8))
    }

    /// A JWT; each parameter can be bent to make a bad one.
    func mint(subject: String, access: [(String, String, [String])], expires: Date = Date().addingTimeInterval(300),
              notBefore: Date? = nil, audience: String? = nil, issuer: String? = nil, alg: String = "ES256",
              signingKey: PrivateKey? = nil) throws -> String {
        let header = #"{"alg":"\#(alg)","typ":"JWT"}"#
        let accessJSON = access.map { type, name, actions in
            #"{"type":"\#(type)","name":"\#(name)","actions":[\#(actions.map { "\"\($0)\"" }.joined(separator: ","))]}"#
        }.joined(separator: ",")
        var payload = #"{"iss":"\#(issuer ?? self.issuer)","sub":"\#(subject)","aud":"\#(audience ?? service)","exp":\#(Int(expires.timeIntervalSince1970)),"iat":\#(Int(Date().timeIntervalSince1970))"#
        if let notBefore { payload += #","nbf":\#(Int(notBefore.timeIntervalSince1970))"# }
        payload += #","access":[\#(accessJSON)]}"#
        let input = Self.base64URL(Array(header.utf8)) + "." + Self.base64URL(Array(payload.utf8))
        if alg == "none" { return input + "." }
        let signature = try (signingKey ?? key).sign(Array(input.utf8), method: .ecdsa)
        return input + "." + Self.base64URL(signature)
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
