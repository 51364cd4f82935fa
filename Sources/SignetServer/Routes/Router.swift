import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF

/// Notary's routes (reference §2.1), matched as gorilla/mux does: the GUN is everything between
/// `/v2/` and the last `/_trust/…` marker, and must not contain `*`.
extension TrustServer {
    func route(_ request: HTTPRequest) -> (operation: String, response: HTTPResponse) {
        let path = request.path
        let method = request.method
        func run(_ operation: String, _ body: () throws -> HTTPResponse) -> (String, HTTPResponse) {
            do { return (operation, try body()) } catch let error as NotaryError {
                return (operation, refusal(operation, error))
            } catch let error as StorageError {
                return (operation, refusal(operation, NotaryError(error)))
            } catch {
                logger.error("\(operation) failed: \(error)")
                return (operation, NotaryError(.unknown, detail: .absent).response)
            }
        }

        // Authentication and the scope policy come first, as notary-server's auth wrapper does.
        if let accessControl = settings.accessControl, let refusal = accessControl.check(request) {
            return (refusal.status == 200 ? "Token" : "Unauthorized", refusal)
        }

        switch path {
        case "/v2/":
            guard method == "GET" else { return ("NotFound", NotaryError(.genericNotFound, detail: .absent).response) }
            return ("Ping", HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array("{}".utf8)))
        case "/_notary_server/health":
            guard method == "GET" else { break }
            return ("Health", HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: Array("{}".utf8)))
        case "/metrics":
            guard method == "GET" else { break }
            return ("Metrics", HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                                            body: Array(metrics.render().utf8)))
        case "/v2/_trust/changefeed":
            guard method == "GET" else { break }
            return run("Changefeed") { try changefeed(gun: nil, request) }
        default:
            break
        }
        guard path.hasPrefix("/v2/") else { return ("NotFound", NotaryError.routeNotFound.response) }
        let rest = path.dropFirst(4)

        if rest.hasSuffix("/_trust/changefeed") {
            let gun = String(rest.dropLast("/_trust/changefeed".count))
            guard method == "GET", Self.isRouteGUN(gun) else { return ("NotFound", NotaryError.routeNotFound.response) }
            return run("Changefeed") {
                guard (try? GUN.validate(gun)) != nil, allows(gun: gun) else { throw NotaryError.notFound }
                return try changefeed(gun: gun, request)
            }
        }
        guard let marker = rest.lastRange(ofLiteral: "/_trust/tuf/") else {
            return ("NotFound", NotaryError.routeNotFound.response)
        }
        let gun = String(rest[..<marker.lowerBound])
        let tail = String(rest[marker.upperBound...])
        guard Self.isRouteGUN(gun) else { return ("NotFound", NotaryError.routeNotFound.response) }
        if !allows(gun: gun) {
            // notary-server checks the prefixes on publish only with a clear error; elsewhere the
            // GUN simply does not exist.
            if tail.isEmpty, method == "POST" {
                let list = settings.gunPrefixes.joined(separator: " ")
                return ("UpdateTUF", NotaryError(.invalidGUN, detail: .text("Require GUNs with prefix: [\(list)]")).response)
            }
            return ("NotFound", NotaryError.notFound.response)
        }

        if tail.isEmpty {
            switch method {
            case "POST": return run("UpdateTUF") { try publish(gun: gun, request) }
            case "DELETE": return run("DeleteTUF") { try deleteCollection(gun: gun) }
            default: return ("NotFound", NotaryError.routeNotFound.response)
            }
        }
        if tail == "timestamp.key" || tail == "snapshot.key" {
            let role = String(tail.dropLast(4))
            switch method {
            case "GET": return run("GetKey") { try keyResponse(gun: gun, role: role, rotate: false) }
            case "POST": return run("RotateKey") { try keyResponse(gun: gun, role: role, rotate: true) }
            default: return ("NotFound", NotaryError.routeNotFound.response)
            }
        }
        guard method == "GET", let target = MetadataRoute(tail) else { return ("NotFound", NotaryError.routeNotFound.response) }
        switch target {
        case .current(let role): return run("GetRole") { try getCurrent(gun: gun, role: role) }
        case .byHash(let role, let hash): return run("GetRoleByHash") { try getByHash(gun: gun, role: role, hash: hash) }
        case .byVersion(let role, let version): return run("GetRoleByVersion") { try getByVersion(gun: gun, role: role, version: version) }
        }
    }

    /// Logs `error` (server errors at `error`, refusals with a log message at `info`) and returns
    /// its envelope.
    private func refusal(_ operation: String, _ error: NotaryError) -> HTTPResponse {
        if error.code.status >= 500 { logger.error("\(operation) failed: \(error)") }
        else if !error.logMessage.isEmpty { logger.info("\(operation) refused: \(error)") }
        return error.response
    }

    /// The route regex for GUNs: `[^*]+`.
    static func isRouteGUN(_ gun: String) -> Bool { !gun.isEmpty && !gun.contains("*") }

    /// A GUN and role from the network, checked before anything touches storage; an invalid one is
    /// simply metadata that does not exist.
    static func checkNames(gun: String, role: String) throws {
        guard (try? GUN.validate(gun)) != nil, (try? RoleName.validate(role)) != nil else { throw NotaryError.notFound }
    }
}

/// The three metadata GET routes, in gorilla/mux match order: by checksum, by version, current.
enum MetadataRoute: Equatable {
    case byHash(role: String, sha256: String)
    case byVersion(role: String, version: Int64?)
    case current(role: String)

    init?(_ tail: String) {
        guard tail.hasSuffix(".json") else { return nil }
        let stem = String(tail.dropLast(5))
        if let dot = stem.lastIndex(of: ".") {
            let role = String(stem[..<dot])
            let hash = String(stem[stem.index(after: dot)...])
            if [64, 96, 128].contains(hash.utf8.count), hash.utf8.allSatisfy(\.isHexDigit), MetadataRoute.matchesRole(role) {
                self = .byHash(role: role, sha256: hash.lowercased())
                return
            }
        }
        if let dot = stem.firstIndex(of: ".") {
            let number = String(stem[..<dot])
            let role = String(stem[stem.index(after: dot)...])
            if !number.isEmpty, number.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), MetadataRoute.matchesRole(role) {
                self = .byVersion(role: role, version: Int64(number))
                return
            }
        }
        guard MetadataRoute.matchesRole(stem) else { return nil }
        self = .current(role: stem)
    }

    /// Notary's role regex: `root|targets(?:/[^/\s]+)*|snapshot|timestamp`.
    static func matchesRole(_ role: String) -> Bool {
        if role == "root" || role == "targets" || role == "snapshot" || role == "timestamp" { return true }
        guard role.hasPrefix("targets/") else { return false }
        return role.dropFirst(8).split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && !segment.contains(where: { $0.isWhitespace })
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (self >= 0x30 && self <= 0x39) || (self >= 0x61 && self <= 0x66) || (self >= 0x41 && self <= 0x46)
    }
}
