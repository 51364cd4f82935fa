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
    func response(gun: String, role: String, revision: StoreRevision, now: TUFTime) -> HTTPResponse? {
        state.withLock { state in
            guard let entry = state.entries[gun]?[role], entry.revision == revision else { return nil }
            if let validUntil = entry.validUntil, validUntil <= now { return nil }
            return entry.response
        }
    }

    /// Keeps `response`, read from storage at `revision` (taken before reading).
    func store(_ response: HTTPResponse, gun: String, role: String, revision: StoreRevision, validUntil: TUFTime?) {
        state.withLock { state in
            if state.count >= capacity {
                state.entries.removeAll()
                state.count = 0
            }
            if state.entries[gun]?[role] == nil { state.count += 1 }
            state.entries[gun, default: [:]][role] = Entry(response: response, revision: revision, validUntil: validUntil)
        }
    }
}

extension TrustServer {
    /// For `HTTPServer`'s `cachedResponder` (answered on the event loop, so it must not block): the
    /// cached response to a `GET` of current metadata, or nil to let `handle` serve the request. With
    /// access control, only when the check needs no slow work and allows the request
    /// (`AccessControl.allowsWithoutWaiting`: a client certificate or a token this server issued);
    /// everything else, refusals included, goes to `handle`.
    package func cachedResponse(_ request: HTTPRequest) -> HTTPResponse? {
        let route = TrustRoute.parse(request.path)
        guard request.method == "GET", case .metadata(let gun, .current(let role)) = route,
              settings.accessControl?.allowsWithoutWaiting(request, route: route) ?? true,
              allows(gun: gun), (try? Self.checkNames(gun: gun, role: role)) != nil,
              let revision = try? store.revision(gun: gun),
              let response = currentMetadata.response(gun: gun, role: role, revision: revision, now: TUFTime(settings.clock()))
        else { return nil }
        metrics.record(status: response.status, method: request.method, operation: "GetRole")
        return response
    }

    /// `getCurrent` through the cache: a hit, or `produce` (which re-signs when due and reads storage),
    /// kept for the next GET.
    func cachedCurrent(gun: String, role: String, _ produce: () throws -> HTTPResponse) throws -> HTTPResponse {
        let now = TUFTime(settings.clock())
        guard let revision = try store.revision(gun: gun) else { return try produce() }
        if let hit = currentMetadata.response(gun: gun, role: role, revision: revision, now: now) { return hit }
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
