import SignetSupport
import SignetTUF

/// What a request path names on the trust server: the one parser of Notary's routes (reference §2.1)
/// that the router (`Router.swift`), access control (`AccessRequirement.of`) and the event loop's
/// answer from memory (`TrustServer.cachedResponse`) all use, so that the GUN and the resource a
/// path means — and so the scope checked — can never differ between them.
///
/// Matched as gorilla/mux matches notary-server's routes, on the percent-decoded path
/// (`HTTPRequest.path`), as bytes:
/// - the fixed paths `/v2/`, `/_notary_server/health`, `/metrics`, `/_signet/token` and
///   `/v2/_trust/changefeed` are equal byte for byte, nothing else (no case folding, no Unicode
///   equivalence, no trailing `/`);
/// - otherwise the path must start with `/v2/`; a path ending in `/_trust/changefeed` is that GUN's
///   changefeed; else the GUN is everything between `/v2/` and the *last* `/_trust/tuf/`, and what
///   follows that marker (the tail) names the resource;
/// - the GUN must match Notary's route pattern `[^*]+` (not empty, no `*`), else the path is
///   `.unknown`. Nothing else is done to it here: no `.`/`..` resolution, no `//` folding, no
///   trimming. `GUN.validate` (which refuses those) runs before any name reaches storage, and a GUN
///   that fails it is metadata that does not exist.
///
/// The HTTP method is not part of the path's meaning; the router and `AccessRequirement` decide
/// what each method may do with the resource.
package enum TrustRoute: Equatable, Sendable {
    /// `/v2/` (Notary's ping).
    case ping
    /// `/_notary_server/health`.
    case health
    /// `/metrics`.
    case metrics
    /// `/_signet/token`, the built-in token endpoint (`BuiltInTokenService.path`).
    case token
    /// `/v2/_trust/changefeed`: every GUN's changes.
    case catalogChangefeed
    /// `/v2/<gun>/_trust/changefeed`.
    case changefeed(gun: String)
    /// `/v2/<gun>/_trust/tuf/` (publish with POST, delete with DELETE).
    case collection(gun: String)
    /// `/v2/<gun>/_trust/tuf/{timestamp,snapshot}.key`; `role` is `timestamp` or `snapshot`.
    case serverKey(gun: String, role: String)
    /// `/v2/<gun>/_trust/tuf/<role>.json`, `<role>.<hash>.json`, `<version>.<role>.json`.
    case metadata(gun: String, MetadataRoute)
    /// `/v2/<gun>/_trust/tuf/<tail>` where the tail names nothing the server has.
    case unmatched(gun: String)
    /// Anything else.
    case unknown

    /// The GUN the path names, nil for routes without one.
    package var gun: String? {
        switch self {
        case .changefeed(let gun), .collection(let gun), .serverKey(let gun, _), .metadata(let gun, _), .unmatched(let gun): gun
        case .ping, .health, .metrics, .token, .catalogChangefeed, .unknown: nil
        }
    }

    private static let fixed: [(path: String, route: TrustRoute)] = [
        ("/v2/", .ping), ("/_notary_server/health", .health), ("/metrics", .metrics),
        (BuiltInTokenService.path, .token), ("/v2/_trust/changefeed", .catalogChangefeed),
    ]

    /// Parses a percent-decoded request path (`HTTPRequest.path`, no query) as described above.
    /// Never fails: what names no route is `.unknown`.
    package static func parse(_ path: String) -> TrustRoute {
        if let match = fixed.first(where: { ExactName.equal($0.path, path) }) { return match.route }
        guard path.utf8.starts(with: "/v2/".utf8) else { return .unknown }
        // Cut at the ASCII bytes only: every piece keeps exactly the path's bytes.
        let rest = String(decoding: path.utf8.dropFirst(4), as: UTF8.self)
        let changefeed = "/_trust/changefeed".utf8
        if rest.utf8.count >= changefeed.count, rest.utf8.suffix(changefeed.count).elementsEqual(changefeed) {
            guard let gun = routeGUN(String(decoding: rest.utf8.dropLast(changefeed.count), as: UTF8.self)) else { return .unknown }
            return .changefeed(gun: gun)
        }
        guard let marker = rest.lastRange(ofLiteral: "/_trust/tuf/"), let gun = routeGUN(String(rest[..<marker.lowerBound])) else {
            return .unknown
        }
        let tail = String(rest[marker.upperBound...])
        if tail.isEmpty { return .collection(gun: gun) }
        if ExactName.equal(tail, "timestamp.key") { return .serverKey(gun: gun, role: RoleName.timestamp) }
        if ExactName.equal(tail, "snapshot.key") { return .serverKey(gun: gun, role: RoleName.snapshot) }
        if let metadata = MetadataRoute(tail) { return .metadata(gun: gun, metadata) }
        return .unmatched(gun: gun)
    }

    /// Notary's route pattern for GUNs, `[^*]+`.
    private static func routeGUN(_ gun: String) -> String? {
        gun.isEmpty || gun.utf8.contains(UInt8(ascii: "*")) ? nil : gun
    }
}

/// The three metadata GET routes, in gorilla/mux match order: by checksum, by version, current
/// (the tail after `/_trust/tuf/`, see `TrustRoute`). Role names are only shaped here (Notary's role
/// pattern); `RoleName.validate` runs before storage.
package enum MetadataRoute: Equatable, Sendable {
    case byHash(role: String, sha256: String)
    case byVersion(role: String, version: Int64?)
    case current(role: String)

    /// Parses a tail such as `root.json`, `targets.<sha256 hex>.json`, `3.snapshot.json`; nil when it
    /// is not one of them. Split at ASCII `.` bytes.
    init?(_ tail: String) {
        let bytes = Array(tail.utf8)
        let json = Array(".json".utf8)
        guard bytes.count > json.count, bytes.suffix(json.count).elementsEqual(json) else { return nil }
        let stem = bytes.dropLast(json.count)
        let dot = UInt8(ascii: ".")
        func text(_ part: ArraySlice<UInt8>) -> String { String(decoding: part, as: UTF8.self) }
        if let last = stem.lastIndex(of: dot) {
            let role = text(stem[..<last])
            let hash = stem[(last + 1)...]
            if [64, 96, 128].contains(hash.count), hash.allSatisfy(\.isHexDigit), MetadataRoute.matchesRole(role) {
                self = .byHash(role: role, sha256: text(hash).lowercased())
                return
            }
        }
        if let first = stem.firstIndex(of: dot) {
            let number = stem[..<first]
            let role = text(stem[(first + 1)...])
            if !number.isEmpty, number.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), MetadataRoute.matchesRole(role) {
                self = .byVersion(role: role, version: Int64(text(number)))
                return
            }
        }
        let role = text(stem)
        guard MetadataRoute.matchesRole(role) else { return nil }
        self = .current(role: role)
    }

    /// Notary's role regex: `root|targets(?:/[^/\s]+)*|snapshot|timestamp`, as bytes.
    static func matchesRole(_ role: String) -> Bool {
        let bytes = Array(role.utf8)
        for base in ["root", "targets", "snapshot", "timestamp"] where bytes.elementsEqual(base.utf8) { return true }
        let prefix = Array("targets/".utf8)
        guard bytes.starts(with: prefix) else { return false }
        return bytes[prefix.count...].split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && !String(decoding: segment, as: UTF8.self).contains(where: { $0.isWhitespace })
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x61 && self <= 0x66) || (self >= 0x41 && self <= 0x46)
    }
}
