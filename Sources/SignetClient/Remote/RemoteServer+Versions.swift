import FoundationEssentials
import SignetHTTP
import SignetTUF

/// One stored version of a role as a trust server answers `GET …/<N>.<role>.json`.
package struct VersionedFile: Sendable {
    package var bytes: [UInt8]
    /// The response's `Last-Modified` (the server's creation time of that version, RFC 1123;
    /// notary-server writes the zone as `UTC`), nil when absent.
    package var lastModified: String?
}

extension RemoteServer {
    /// `GET …/<version>.<role>.json` (reference §2.1, a route both notary-server 0.7 and
    /// `signet serve` have), at most `maxLength` bytes.
    /// - Returns: nil on 404.
    /// - Throws: `ClientError(.unreachable)`, `.rejected` for other error statuses,
    ///   `TUFError(.tooLarge)` past `maxLength`.
    package func fetchVersion(_ version: Int64, role: String, maxLength: Int) throws -> VersionedFile? {
        try RoleName.validate(role)
        let request = MetadataRequest.version(version, role: role, maxLength: maxLength)
        let response = try send("GET", tufURL + request.fileName, maxBytes: maxLength)
        switch response.status {
        case 200: return VersionedFile(bytes: response.body, lastModified: response.headers["Last-Modified"])
        case 404: return nil
        default: throw rejection(response, doing: "GET \(request.fileName) for \(gun)")
        }
    }
}
