import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF

/// Notary's routes (reference §2.1): the path is parsed once, by `TrustRoute.parse`, and that one
/// value decides both the access check and the handler.
extension TrustServer {
    func route(_ request: HTTPRequest) -> (operation: String, response: HTTPResponse) {
        let method = request.method
        let route = TrustRoute.parse(request.path)
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
        if let accessControl = settings.accessControl, let refusal = accessControl.check(request, route: route) {
            if settings.webPage, Self.isWebPage(request) { return ("WebPage", webPageRefusal(refusal, accessControl)) }
            return (refusal.status == 200 ? "Token" : "Unauthorized", refusal)
        }
        if settings.webPage, Self.isWebPage(request) { return ("WebPage", webPage(request)) }

        let notFound = ("NotFound", NotaryError.routeNotFound.response)
        switch route {
        case .ping:
            guard method == "GET" else { return ("NotFound", NotaryError(.genericNotFound, detail: .absent).response) }
            return ("Ping", HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; charset=utf-8"], body: Array("{}".utf8)))
        case .health:
            guard method == "GET" else { return notFound }
            return ("Health", HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"], body: Array("{}".utf8)))
        case .metrics:
            guard method == "GET" else { return notFound }
            return ("Metrics", HTTPResponse(status: 200, headers: ["Content-Type": "text/plain; version=0.0.4; charset=utf-8"],
                                            body: Array((metrics.render() + roleGauges()).utf8)))
        case .catalogChangefeed:
            guard method == "GET" else { return notFound }
            return run("Changefeed") { try changefeed(gun: nil, request) }
        case .changefeed(let gun):
            guard method == "GET" else { return notFound }
            return run("Changefeed") {
                guard (try? GUN.validate(gun)) != nil, allows(gun: gun) else { throw NotaryError.notFound }
                return try changefeed(gun: gun, request)
            }
        case .token, .unknown:
            return notFound
        case .collection(let gun), .serverKey(let gun, _), .metadata(let gun, _), .unmatched(let gun):
            if !allows(gun: gun) {
                // notary-server checks the prefixes on publish only with a clear error; elsewhere the
                // GUN simply does not exist.
                if route == .collection(gun: gun), method == "POST" {
                    let list = settings.gunPrefixes.joined(separator: " ")
                    return ("UpdateTUF", NotaryError(.invalidGUN, detail: .text("Require GUNs with prefix: [\(list)]")).response)
                }
                return ("NotFound", NotaryError.notFound.response)
            }
        }

        switch route {
        case .collection(let gun):
            switch method {
            case "POST": return run("UpdateTUF") { try publish(gun: gun, request) }
            case "DELETE": return run("DeleteTUF") { try deleteCollection(gun: gun) }
            default: return notFound
            }
        case .serverKey(let gun, let role):
            switch method {
            case "GET": return run("GetKey") { try keyResponse(gun: gun, role: role, rotate: false) }
            case "POST": return run("RotateKey") { try keyResponse(gun: gun, role: role, rotate: true) }
            default: return notFound
            }
        case .metadata(let gun, let target):
            guard method == "GET" else { return notFound }
            switch target {
            case .current(let role): return run("GetRole") { try getCurrent(gun: gun, role: role) }
            case .byHash(let role, let hash): return run("GetRoleByHash") { try getByHash(gun: gun, role: role, hash: hash) }
            case .byVersion(let role, let version): return run("GetRoleByVersion") { try getByVersion(gun: gun, role: role, version: version) }
            }
        default:
            return notFound
        }
    }

    /// Logs `error` (server errors at `error`, refusals with a log message at `info`) and returns
    /// its envelope.
    private func refusal(_ operation: String, _ error: NotaryError) -> HTTPResponse {
        if error.code.status >= 500 { logger.error("\(operation) failed: \(error)") }
        else if !error.logMessage.isEmpty { logger.info("\(operation) refused: \(error)") }
        return error.response
    }

    /// A GUN and role from the network, checked before anything touches storage; an invalid one is
    /// simply metadata that does not exist.
    static func checkNames(gun: String, role: String) throws {
        guard (try? GUN.validate(gun)) != nil, (try? RoleName.validate(role)) != nil else { throw NotaryError.notFound }
    }
}
