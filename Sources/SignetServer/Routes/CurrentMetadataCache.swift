import FoundationEssentials
import SignetHTTP
import SignetSupport
import SignetTUF
import Synchronization

/// The responses to `GET …/_trust/tuf/<role>.json` (current metadata), headers included, kept in memory
/// per (GUN, role) so a GET of current metadata reads no file and parses no JSON.
///
/// - Each entry carries the store's `revision(gun:)` taken *before* the response was read from
///   storage, and is served only while the store still reports that revision (for the file store one
///   `stat` of the manifest). So a commit by a publish, a re-sign, a delete — in this process or another
///   server process on the same storage — or any other change to the stored files is seen by the next
///   GET, and a GET racing a commit can never make the old bytes current again.
/// - Timestamp and snapshot entries are kept only until `validUntil` (the earlier of the timestamp's
///   and a still-valid snapshot's `expires`, by the server's clock), so the re-signing on read
///   (`refreshServerRoles`, which re-checks under the GUN's write lock and so re-signs once however
///   many GETs arrive) still happens when due.
/// - At most `capacity` entries (then the cache starts over), so the names clients ask for cannot grow
///   it without bound. Stores that cannot tell a revision (`nil`) are not cached.
final class CurrentMetadataCache: Sendable {
    struct Entry: Sendable {
        var response: HTTPResponse
        var revision: StoreRevision
        var validUntil: TUFTime?
    }

    private struct State: ~Copyable {
        var entries: [String: [String: Entry]] = [:]
        var count = 0
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// The cached response for (`gun`, `role`) if it was read at `revision` and is still valid at `now`.
    func response(gun: String, role: String, revision: StoreRevision, now: Date) -> HTTPResponse? {
        state.withLock { state in
            guard let entry = state.entries[gun]?[role], entry.revision == revision else { return nil }
            if let validUntil = entry.validUntil, validUntil.isAtOrBefore(now) { return nil }
            return entry.response
        }
    }

    /// Keeps `response`, read from storage at `revision` (taken before reading), its head serialised
    /// once (`HTTPResponse.preparingHead()`).
    func store(_ response: HTTPResponse, gun: String, role: String, revision: StoreRevision, validUntil: TUFTime?) {
        let prepared = response.preparingHead()
        state.withLock { state in
            if state.count >= capacity {
                state.entries.removeAll()
                state.count = 0
            }
            if state.entries[gun]?[role] == nil { state.count += 1 }
            state.entries[gun, default: [:]][role] = Entry(response: prepared, revision: revision, validUntil: validUntil)
        }
    }

    /// A request path that names current metadata the cache may answer: its GUN and role.
    struct CacheableRoute: Sendable {
        var gun: String
        var role: String
        var route: TrustRoute
    }

    /// Request paths already found cacheable (`cacheableRoute`), at most `capacity` (then it starts
    /// over); paths that are not are decided again each time (they go to a worker anyway).
    private let routes = Mutex<[String: CacheableRoute]>([:])

    /// The GUN and role of a path of current metadata that passes `accept` (the server's GUN prefixes
    /// and name rules), or nil. `accept` must depend on the path alone: its answer is remembered.
    func cacheableRoute(_ path: String, accept: (String, String) -> Bool) -> CacheableRoute? {
        if let known = routes.withLock({ $0[path] }) { return known }
        let route = TrustRoute.parse(path)
        guard case .metadata(let gun, .current(let role)) = route, accept(gun, role) else { return nil }
        let found = CacheableRoute(gun: gun, role: role, route: route)
        routes.withLock { routes in
            if routes.count >= capacity { routes.removeAll() }
            routes[path] = found
        }
        return found
    }
}

extension TrustServer {
    /// For `HTTPServer`'s `cachedResponder` (answered on the event loop, so it must not block): the
    /// cached response to a `GET` of current metadata, or nil to let `handle` serve the request. With
    /// access control, only when the check needs no slow work and allows the request
    /// (`AccessControl.allowsWithoutWaiting`: a client certificate or a token this server issued);
    /// everything else, refusals included, goes to `handle`.
    package func cachedResponse(_ request: HTTPRequest) -> HTTPResponse? {
        guard request.method == "GET",
              let target = currentMetadata.cacheableRoute(request.path, accept: { gun, role in
                  allows(gun: gun) && (try? Self.checkNames(gun: gun, role: role)) != nil
              }),
              settings.accessControl?.allowsWithoutWaiting(request, route: target.route) ?? true,
              let revision = try? store.revision(gun: target.gun),
              let response = currentMetadata.response(gun: target.gun, role: target.role, revision: revision, now: settings.clock())
        else { return nil }
        metrics.recordCachedRole(status: response.status)
        return response
    }

    /// `getCurrent` through the cache: a hit, or `produce` (which re-signs when due and reads storage),
    /// kept for the next GET.
    func cachedCurrent(gun: String, role: String, _ produce: () throws -> HTTPResponse) throws -> HTTPResponse {
        let date = settings.clock()
        let now = TUFTime(date)
        guard let revision = try store.revision(gun: gun) else { return try produce() }
        if let hit = currentMetadata.response(gun: gun, role: role, revision: revision, now: date) { return hit }
        let response = try produce()
        // Kept under the revision taken before reading: if `produce` re-signed (a commit), or another
        // commit raced it, the entry never matches and the next GET reads storage again.
        var validUntil: TUFTime?
        if role == RoleName.timestamp || role == RoleName.snapshot {
            guard let until = try serverRolesValidUntil(gun: gun, now: now) else { return response }
            validUntil = until
        }
        currentMetadata.store(response, gun: gun, role: role, revision: revision, validUntil: validUntil)
        return response
    }
}
