import FoundationEssentials
import SignetHTTP
import SignetTUF

/// The read-only web page of the trust server (issue 17 §3), off with `--no-ui`: HTML rendered
/// here, no JavaScript, no external assets, one stylesheet of our own.
///
/// Routes (GET only; anything else is the API's 404):
/// - `/`, for a client whose `Accept` names `text/html` — the collections this client may pull, each with its tag count and nearest expiry;
/// - `/ui/collection?gun=GUN` — its tags (digest, size, the roles that list it, each linked to
///   its history), its delegations (keys, threshold, paths) and an SVG expiry timeline;
/// - `/ui/history?gun=GUN&tag=TAG` — every stored version of targets and delegations that changed
///   the tag (`TargetsDiff`), with its time and the key IDs of its signatures;
/// - `/ui/style.css`.
///
/// Access control is the API's, exactly: the router has already run it for the page itself (with
/// auth on, an anonymous client gets the API's 401 and sees nothing), and a collection is shown
/// only when the same client's `GET /v2/<gun>/_trust/tuf/root.json` would pass
/// (`AccessControl.check`); a collection it may not pull answers as that GET would (404 when it
/// is not stored, so the page never tells more than the API).
///
/// Every page carries `Content-Security-Policy: default-src 'none'; style-src 'self'`, and every
/// stored or requested string goes through `HTMLText`.
extension TrustServer {
    static let stylePath = "/ui/style.css"

    /// True for the page's paths. `/` is the page only for a client that asks for HTML (a
    /// browser's `Accept` names `text/html`); any other client gets notary-server's answer, the
    /// API's 404, as before.
    static func isWebPage(_ request: HTTPRequest) -> Bool {
        switch request.path {
        case "/ui/collection", "/ui/history", stylePath: return true
        case "/": return request.headers.values(for: "Accept").contains { $0.lowercased().contains("text/html") }
        default: return false
        }
    }

    func webPage(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else { return NotaryError.routeNotFound.response }
        do {
            switch request.path {
            case Self.stylePath:
                return HTTPResponse(status: 200, headers: Self.pageHeaders(contentType: "text/css; charset=utf-8"), body: Array(Self.style.utf8))
            case "/ui/collection":
                let gun = request.query["gun"] ?? ""
                if let refusal = try pullRefusal(request, gun: gun) { return refusal }
                return page(title: gun, body: try collectionBody(gun: gun))
            case "/ui/history":
                let gun = request.query["gun"] ?? ""
                if let refusal = try pullRefusal(request, gun: gun) { return refusal }
                return page(title: "\(gun) history", body: try historyBody(gun: gun, tag: request.query["tag"] ?? ""))
            default:
                return page(title: "Signet trust server", body: try indexBody(request))
            }
        } catch {
            logger.error("web page \(request.path) failed: \(error)")
            return NotaryError(.unknown, detail: .absent).response
        }
    }

    // MARK: Access

    /// The API's refusal of a page request, plus — with htpasswd logins — a Basic challenge, so
    /// that a browser asks for the user and password (it cannot follow a Bearer challenge).
    func webPageRefusal(_ refusal: HTTPResponse, _ accessControl: AccessControl) -> HTTPResponse {
        var response = refusal
        if response.status == 401, accessControl.settings.htpasswdFile != nil {
            response.headers.add("WWW-Authenticate", #"Basic realm="signet""#)
        }
        return response
    }

    /// nil when `request`'s client may pull `gun` and it is stored; else the API's answer.
    private func pullRefusal(_ request: HTTPRequest, gun: String) throws -> HTTPResponse? {
        guard (try? GUN.validate(gun)) != nil, allows(gun: gun) else { return NotaryError.notFound.response }
        if let accessControl = settings.accessControl, let refusal = Self.pullCheck(accessControl, request, gun: gun) {
            return refusal
        }
        guard try store.current(gun: gun, role: RoleName.root) != nil else { return NotaryError.notFound.response }
        return nil
    }

    /// The access decision of the API for the same client's `GET /v2/<gun>/_trust/tuf/root.json`,
    /// its path parsed as the router parses it (`TrustRoute.parse`): nil when allowed.
    static func pullCheck(_ accessControl: AccessControl, _ request: HTTPRequest, gun: String) -> HTTPResponse? {
        let probe = pullProbe(request, gun: gun)
        return accessControl.check(probe, route: TrustRoute.parse(probe.path), logDenials: false)
    }

    /// The API request whose access decision is the page's for `gun`: the same client's
    /// `GET /v2/<gun>/_trust/tuf/root.json`.
    static func pullProbe(_ request: HTTPRequest, gun: String) -> HTTPRequest {
        var probe = request
        probe.method = "GET"
        probe.path = "/v2/\(gun)/_trust/tuf/root.json"
        probe.target = probe.path
        probe.query = [:]
        probe.body = []
        return probe
    }

    /// The stored GUNs `request`'s client may pull, at most `maxListed`.
    private func visibleCollections(_ request: HTTPRequest) throws -> (guns: [String], more: Bool) {
        var visible: [String] = []
        for gun in try collections.list(store).guns where allows(gun: gun) {
            if let accessControl = settings.accessControl, Self.pullCheck(accessControl, request, gun: gun) != nil { continue }
            if visible.count == Self.maxListed { return (visible, true) }
            visible.append(gun)
        }
        return (visible, false)
    }

    static let maxListed = 1000

    // MARK: Pages

    private func indexBody(_ request: HTTPRequest) throws -> String {
        let (guns, more) = try visibleCollections(request)
        let now = TUFTime(settings.clock())
        var html = "<h1>Collections</h1>\n"
        guard !guns.isEmpty else { return html + "<p class=\"empty\">No collections you may pull.</p>\n" }
        html += "<table class=\"collections\">\n<tr><th>GUN</th><th>Tags</th><th>Next expiry</th></tr>\n"
        for gun in guns {
            let roles = (try? currentRoles(gun: gun)) ?? []
            let tags = (try? currentTargets(gun: gun))?.reduce(into: Set<String>()) { $0.formUnion($1.targets.targets.keys) }.count ?? 0
            let next = roles.min { $0.parsed.expires < $1.parsed.expires }
            let expiry = next.map { "\(HTMLText.escape($0.role)) in \(Expiry.daysText(Expiry.secondsLeft($0.parsed.expires, at: now)))" } ?? "-"
            let near = next.map { Self.isNear($0.role, $0.parsed.expires, now) } ?? false
            html += "<tr><td><a href=\"/ui/collection?gun=\(HTMLText.queryValue(gun))\">\(HTMLText.escape(gun))</a></td>"
            html += "<td>\(tags)</td><td\(near ? " class=\"near\"" : "")>\(expiry)</td></tr>\n"
        }
        html += "</table>\n"
        if more { html += "<p>Only the first \(Self.maxListed) collections are listed.</p>\n" }
        return html
    }

    private func collectionBody(gun: String) throws -> String {
        let now = TUFTime(settings.clock())
        let roles = try currentTargets(gun: gun)
        var html = "<h1>\(HTMLText.escape(gun))</h1>\n<p><a href=\"/\">All collections</a></p>\n"
        html += "<h2>Tags</h2>\n"
        var byTag: [String: (meta: FileMeta, roles: [String])] = [:]
        for (role, targets) in roles {
            for (tag, meta) in targets.targets {
                byTag[tag, default: (meta, [])].roles.append(role)
                if role == RoleName.targets { byTag[tag]?.meta = meta }
            }
        }
        if byTag.isEmpty {
            html += "<p class=\"empty\">No tags.</p>\n"
        } else {
            html += "<table class=\"tags\">\n<tr><th>Tag</th><th>Digest</th><th>Size</th><th>Signed in</th></tr>\n"
            for tag in byTag.keys.sorted(by: Self.byteOrder) {
                let entry = byTag[tag]!
                let link = "/ui/history?gun=\(HTMLText.queryValue(gun))&amp;tag=\(HTMLText.queryValue(tag))"
                html += "<tr><td><a href=\"\(link)\">\(HTMLText.escape(tag))</a></td><td class=\"digest\">\(HTMLText.escape(TargetsDiff.digest(entry.meta)))</td>"
                html += "<td>\(entry.meta.length)</td><td>\(entry.roles.map(HTMLText.escape).joined(separator: ", "))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Delegations</h2>\n"
        let delegations = roles.flatMap { parent in parent.targets.delegations.roles.map { (parent: parent.targets, entry: $0) } }
        if delegations.isEmpty {
            html += "<p class=\"empty\">No delegations.</p>\n"
        } else {
            html += "<table class=\"delegations\">\n<tr><th>Role</th><th>Threshold</th><th>Keys</th><th>Paths</th></tr>\n"
            for (parent, entry) in delegations {
                let keys = parent.delegations.keys(of: entry).values.map { String(((try? $0.canonicalID()) ?? $0.id).prefix(12)) }.sorted()
                let paths = entry.paths.map { $0.map { $0.isEmpty ? "\"\" (all)" : $0 } } ?? []
                html += "<tr><td>\(HTMLText.escape(entry.name))</td><td>\(entry.threshold)</td><td class=\"digest\">\(keys.map(HTMLText.escape).joined(separator: " "))</td>"
                html += "<td>\(paths.map(HTMLText.escape).joined(separator: ", "))</td></tr>\n"
            }
            html += "</table>\n"
        }
        html += "<h2>Expiry</h2>\n"
        html += ExpiryTimeline.svg(roles: try currentRoles(gun: gun).map { ($0.role, $0.parsed.version, $0.parsed.expires) }, now: now)
        return html
    }

    private func historyBody(gun: String, tag: String) throws -> String {
        var html = "<h1>\(HTMLText.escape(tag)) in \(HTMLText.escape(gun))</h1>\n"
        html += "<p><a href=\"/ui/collection?gun=\(HTMLText.queryValue(gun))\">Back to \(HTMLText.escape(gun))</a></p>\n"
        var rows: [(created: Date, role: String, version: Int64, change: TargetsDiff.TagChange, signers: [String])] = []
        for role in try targetsRoleNames(gun: gun) {
            guard let current = try store.current(gun: gun, role: role) else { continue }
            var previous: Targets?
            for version in 1...max(1, min(current.version, MetadataLimits.maxHistoryVersions)) {
                guard let stored = try store.version(gun: gun, role: role, version: version),
                      let file = try? MetadataFile.parse(stored.bytes, role: role),
                      let targets = try? Targets(signed: file.signed, role: role) else { continue }
                for change in TargetsDiff.tags(from: previous, to: targets) where ExactName.equal(change.tag, tag) {
                    rows.append((stored.created, role, version, change, file.signatures.map { String($0.keyID.prefix(12)) }))
                }
                previous = targets
            }
        }
        guard !rows.isEmpty else { return html + "<p class=\"empty\">No stored version changed this tag.</p>\n" }
        rows.sort { ($0.created, $0.role, $0.version) < ($1.created, $1.role, $1.version) }
        html += "<table class=\"history\">\n<tr><th>When</th><th>Role</th><th>Change</th><th>Digest</th><th>Signatures (key IDs)</th></tr>\n"
        for row in rows {
            let digest = [row.change.before, row.change.after].compactMap { $0 }.joined(separator: " → ")
            html += "<tr><td>\(HTMLText.escape(TUFTime(row.created).text))</td><td>\(HTMLText.escape(row.role)) v\(row.version)</td>"
            html += "<td>\(row.change.kind.rawValue)</td><td class=\"digest\">\(HTMLText.escape(digest))</td>"
            html += "<td class=\"digest\">\(row.signers.map(HTMLText.escape).joined(separator: " "))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    // MARK: Reading

    /// `targets` and every delegation the current snapshot lists, by role name (byte order).
    private func targetsRoleNames(gun: String) throws -> [String] {
        var names = [RoleName.targets]
        if let snapshotFile = try store.current(gun: gun, role: RoleName.snapshot),
           let snapshot = try? Snapshot(signed: MetadataFile.parse(snapshotFile.bytes, role: RoleName.snapshot).signed) {
            names += snapshot.meta.keys.filter { $0.hasPrefix(RoleName.targets + "/") && (try? RoleName.validate($0)) != nil }.sorted(by: Self.byteOrder)
        }
        return Array(names.prefix(MetadataLimits.maxDelegations + 1))
    }

    /// The current content of `targets` and each delegation (as stored: validated at publish).
    private func currentTargets(gun: String) throws -> [(role: String, targets: Targets)] {
        try targetsRoleNames(gun: gun).compactMap { role in
            guard let file = try store.current(gun: gun, role: role),
                  let targets = try? Targets(signed: MetadataFile.parse(file.bytes, role: role).signed, role: role) else { return nil }
            return (role, targets)
        }
    }

    // MARK: Pieces

    private func page(title: String, body: String) -> HTTPResponse {
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<title>\(HTMLText.escape(title))</title>\n<link rel=\"stylesheet\" href=\"\(Self.stylePath)\">\n</head>\n<body>\n"
        html += body + "</body>\n</html>\n"
        return HTTPResponse(status: 200, headers: Self.pageHeaders(contentType: "text/html; charset=utf-8"), body: Array(html.utf8))
    }

    static func pageHeaders(contentType: String) -> HTTPHeaders {
        ["Content-Type": contentType, "Content-Security-Policy": "default-src 'none'; style-src 'self'",
         "X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"]
    }

    static func byteOrder(_ a: String, _ b: String) -> Bool { Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8)) }

    /// Inside the client's warning window (`Expiry.warningWindowSeconds(of:)`).
    static func isNear(_ role: String, _ expires: TUFTime, _ now: TUFTime) -> Bool {
        Expiry.expiresWithin(expires, seconds: Expiry.warningWindowSeconds(of: role), at: now)
    }

    static let style = """
    body { font-family: sans-serif; margin: 2em; color: #222; }
    table { border-collapse: collapse; margin-bottom: 1.5em; }
    th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
    .digest { font-family: monospace; font-size: 0.9em; }
    .near { color: #b00; font-weight: bold; }
    .empty { color: #666; }
    svg text { font-family: sans-serif; font-size: 12px; }

    """
}
