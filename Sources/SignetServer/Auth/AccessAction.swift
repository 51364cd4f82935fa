import SignetCrypto
import SignetSupport
/// The actions of a Notary access scope `repository:<GUN>:<actions>` (reference §1.6, §2.8):
/// `pull` reads metadata and keys, `push` publishes and rotates server keys, `*` also deletes.
package enum AccessAction: String, Sendable, Hashable, CaseIterable {
    case pull
    case push
    case all = "*"

    /// Parses one action name as it appears in a policy, a token's `access` claim or a scope.
    package init?(name: String) {
        self.init(rawValue: name)
    }
}

extension Set where Element == AccessAction {
    /// True when these granted actions include every one of `required`; `*` grants everything.
    package func covers(_ required: [AccessAction]) -> Bool {
        contains(.all) || required.allSatisfy { contains($0) }
    }
}

/// What a route needs before it runs (reference §2.1, with the choice for POST `*.key`).
package enum AccessRequirement: Sendable, Equatable {
    /// Open to everyone: health, metrics, the built-in token endpoint.
    case none
    /// Any authenticated identity (`GET /v2/`, unknown routes).
    case authenticated
    /// `actions` on one GUN.
    case repository(gun: String, actions: [AccessAction])
    /// The global changefeed: `*` on every GUN (Notary asks `registry:catalog:*`).
    case catalog

    /// The scope string a token challenge names: `repository:<gun>:push,pull`, `registry:catalog:*`.
    package var scope: String? {
        switch self {
        case .none, .authenticated: return nil
        case .repository(let gun, let actions): return "repository:\(gun):" + actions.map(\.rawValue).joined(separator: ",")
        case .catalog: return "registry:catalog:*"
        }
    }

    /// The requirement of a request, from the path's one parse (`TrustRoute`), so it names the very
    /// GUN the router serves.
    package static func of(method: String, path: String) -> AccessRequirement {
        of(method: method, route: TrustRoute.parse(path))
    }

    /// The requirement of `method` on `route` (reference §2.1, with the choice for POST
    /// `*.key`): health, metrics and the token endpoint are open; the catalog changefeed needs `*`
    /// on every GUN; a collection's routes need pull, push (publish, new server key) or `*`
    /// (delete); anything else, any authenticated identity.
    package static func of(method: String, route: TrustRoute) -> AccessRequirement {
        switch route {
        case .health, .metrics, .token: return .none
        case .catalogChangefeed: return method == "GET" ? .catalog : .authenticated
        case .ping, .unknown: return .authenticated
        case .changefeed(let gun), .metadata(let gun, _), .unmatched(let gun): return .repository(gun: gun, actions: [.pull])
        case .collection(let gun):
            switch method {
            case "POST": return .repository(gun: gun, actions: [.push])
            case "DELETE": return .repository(gun: gun, actions: [.all])
            default: return .repository(gun: gun, actions: [.pull])
            }
        case .serverKey(let gun, _):
            // notary-server: GET needs push,pull (get-or-create); POST (a new key) needs `*` in the
            // reference, `push` in Signet's issue 6 — the issue wins.
            return .repository(gun: gun, actions: method == "POST" ? [.push] : [.push, .pull])
        }
    }
}
