import SignetCrypto
import SignetHTTP
import SignetTUF

/// A TUF 1.0 repository over HTTP(S): metadata under `--metadata-url`, targets under
/// `--target-base-url` (the conformance suite's CLIENT-CLI.md names).
///
/// A 404 or 403 is "not there" (nil), as python-tuf reads it when looking for the next root; a
/// body over the allowed length is `TUFError(.tooLarge)` (exit 1: the repository lied about a
/// size); other statuses are `ClientError(.rejected)` (exit 1) and network failures
/// `ClientError(.unreachable)` (exit 3).
package struct TUF1HTTPRepository: TUF1Remote {
    package let metadataURL: String
    package let targetsURL: String?
    package let tls: TLSClientContext?
    package let timeout: Double

    /// - Throws: `ClientError(.usage)` for a URL that is not `http://` or `https://`.
    /// - Parameter timeout: seconds per request (`HTTPClient.timeout`); nil for `HTTPClient.defaultTimeout`.
    package init(metadataURL: String, targetsURL: String? = nil, tls: TLSClientContext? = nil, timeout: Double? = nil) throws {
        self.metadataURL = try Self.base(metadataURL, option: "--metadata-url")
        self.targetsURL = try targetsURL.map { try Self.base($0, option: "--target-base-url") }
        self.tls = tls
        self.timeout = timeout ?? HTTPClient.defaultTimeout
    }

    /// `url` with one trailing `/`.
    private static func base(_ url: String, option: String) throws -> String {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ClientError(.usage, "\(option) \(url) must start with http:// or https://")
        }
        return url.hasSuffix("/") ? url : url + "/"
    }

    package func metadata(_ fileName: String, maxLength: Int) throws -> [UInt8]? {
        try get(metadataURL + fileName, maxLength: maxLength, what: fileName)
    }

    /// The bytes of target `path` (`TUF1Names.targetURLPath`), at most `maxLength`; nil on 404/403.
    package func target(_ path: String, hashPrefix: String?, maxLength: Int) throws -> [UInt8]? {
        guard let targetsURL else { throw ClientError(.usage, "downloading a target needs --target-base-url") }
        return try get(targetsURL + TUF1Names.targetURLPath(path, hashPrefix: hashPrefix), maxLength: maxLength, what: "target \(path)")
    }

    private func get(_ url: String, maxLength: Int, what: String) throws -> [UInt8]? {
        let client = HTTPClient(tls: tls, timeout: timeout, maxResponseBytes: maxLength)
        let response: HTTPResponse
        do { response = try client.send(method: "GET", url: url) } catch let error as HTTPError {
            if error.code == .tooLarge { throw TUFError(.tooLarge, "\(what) from \(url) is larger than the \(maxLength) bytes allowed") }
            throw ClientError(.unreachable, "cannot reach the TUF repository at \(url): \(error.message)")
        }
        switch response.status {
        case 200:
            guard response.body.count <= maxLength else { throw TUFError(.tooLarge, "\(what) from \(url) is larger than the \(maxLength) bytes allowed") }
            return response.body
        case 403, 404: return nil
        default: throw ClientError(.rejected, "GET \(url) for \(what): the repository answered HTTP \(response.status)")
        }
    }
}
