/// The sentence that explains a policy denial to the client, in the `message` of the `401
/// UNAUTHORIZED` (`error="insufficient_scope"`) or `403 DENIED` envelope (issue 10 §3):
/// `user alice may not push to example.com/app (allowed: pull)`.
///
/// Notary's server says only `authentication required` / `requested access to the resource is
/// denied` and puts the required scope in `detail`; Signet keeps that `detail` (clients parse it)
/// and uses `message` to say who was refused what, and what the policy does allow, so that nobody
/// has to read the policy file to know which scope to ask for. The password is never involved.
enum AccessDenial {
    /// - Parameters:
    ///   - identity: the authenticated user name, certificate name or token subject; nil when
    ///     the token names none.
    ///   - requirement: what the route needs.
    ///   - granted: what the policy (or the token's `access` claim) gives `identity` on the GUN.
    static func message(identity: String?, _ requirement: AccessRequirement, granted: Set<AccessAction>) -> String {
        let who = identity.map { "user \($0)" } ?? "this token"
        guard case .repository(let gun, let actions) = requirement else { return "\(who) may not do this" }
        let allowed = granted.isEmpty ? "nothing" : AccessAction.allCases.filter(granted.contains).map(\.rawValue).joined(separator: ", ")
        let missing = actions.filter { !granted.covers([$0]) }
        let what: String
        if missing.contains(.all) {
            what = "delete \(gun) (needs *)"
        } else if missing.contains(.push) {
            what = "push to \(gun)"
        } else {
            what = "pull from \(gun)"
        }
        return "\(who) may not \(what) (allowed: \(allowed))"
    }
}
