import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetTUF
import Synchronization

/// Signet's own token endpoint, used when users come from an htpasswd file and no external token
/// issuer is configured: `GET /_signet/token?service=…&scope=…` with Basic credentials answers
/// `{"token":…,"access_token":…,"expires_in":300,"issued_at":…}` as a Docker registry token
/// server does.
///
/// Why: the notary 0.7 client sends Basic credentials only for write commands; its read
/// commands (`list`, `lookup`, `verify`) try anonymously and then retry **only through a token
/// challenge**. A Bearer challenge pointing here makes every notary command work with
/// `NOTARY_AUTH`. Tokens are opaque random strings kept in memory (they only ever come back to
/// this process), bound to the identity; what the identity may do is decided by the policy on
/// each request. A request without credentials gets an anonymous token that grants nothing, which
/// is what lets notary fall back to its credentials.
final class BuiltInTokenService: Sendable {
    static let path = "/_signet/token"

    struct Issued {
        var identity: String
        var expires: Double
    }

    let lifetime: Double
    private let issued = Mutex<[String: Issued]>([:])

    init(lifetime: Double = 300) { self.lifetime = lifetime }

    /// A new token for `identity` (nil = anonymous, not stored).
    func issue(identity: String?, now: Date = Date()) -> HTTPResponse {
        let token = "signet." + Hex.encode(SecureRandom.bytes(32))
        if let identity {
            let expires = now.timeIntervalSince1970 + lifetime
            issued.withLock { table in
                if table.count >= 10_000 { table = table.filter { $0.value.expires > now.timeIntervalSince1970 } }
                if table.count >= 100_000, let victim = table.min(by: { $0.value.expires < $1.value.expires })?.key { table[victim] = nil }
                table[token] = Issued(identity: identity, expires: expires)
            }
        }
        let body = #"{"token":"\#(token)","access_token":"\#(token)","expires_in":\#(Int(lifetime)),"issued_at":"\#(TUFTime(now).text)"}"#
        return HTTPResponse(status: 200, headers: ["Content-Type": "application/json", "Cache-Control": "no-store"], body: Array(body.utf8))
    }

    /// The identity of a token this process issued and that has not expired; nil otherwise.
    func identity(of token: String, now: Date = Date()) -> String? {
        guard token.hasPrefix("signet.") else { return nil }
        return issued.withLock { table in
            guard let entry = table[token] else { return nil }
            guard entry.expires > now.timeIntervalSince1970 else { table[token] = nil; return nil }
            return entry.identity
        }
    }
}
