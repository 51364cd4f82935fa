import SignetHTTP
import SignetTUF

/// The one-line reason the CLI gives when the trust server's policy refuses a scope (`401` with
/// `error="insufficient_scope"` after a token was fetched, or `403 DENIED`), instead of the raw
/// `detail` JSON (issue 10 §3): `user alice may not push to example.com/app (allowed: pull)`.
///
/// `signet serve` writes that sentence as the envelope's `message` (it knows the policy); Notary's
/// server says only `authentication required` / `requested access to the resource is denied`, so
/// then the sentence is built here from the user name and the scope the request needed (the
/// challenge's `scope`, else the request's own), without the `allowed` part nobody told us.
enum PolicyDenial {
    /// - Parameters:
    ///   - serverMessage: the first error's `message` from the response envelope, if any.
    ///   - user: the user name of the credentials sent, if any.
    ///   - scope: the scope the request needed, `repository:<GUN>:<actions>`.
    static func message(_ response: HTTPResponse, serverMessage: String?, user: String?, scope: String) -> String {
        if let serverMessage, serverMessage.contains(" may not ") { return serverMessage }
        let challenged = AuthChallenge.parse(response.headers.values(for: "WWW-Authenticate"))
            .first { $0.scheme == "bearer" }?.parameters["scope"]
        let needed = challenged ?? scope
        // repository:<GUN>:<actions>; the GUN itself may hold ':' (a registry port).
        var parts = needed.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let actions = parts.count >= 3 ? parts.removeLast().split(separator: ",").map(String.init) : []
        let gun = parts.count >= 2 ? parts.dropFirst().joined(separator: ":") : needed
        let who = user.map { "user \($0)" } ?? "an anonymous client"
        let what = actions.contains("*") ? "delete \(gun) (needs *)" : actions.contains("push") ? "push to \(gun)" : "pull from \(gun)"
        return "\(who) may not \(what)"
    }
}
