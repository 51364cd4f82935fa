import FoundationEssentials
import SignetCrypto
import SignetHTTP
import SignetSupport
import SignetTUF

/// A manifest as an OCI distribution registry serves it for a tag: what Docker Content Trust signs
/// for that tag (the target's length and sha256 are the manifest bytes' own).
package struct RegistryManifest: Sendable, Equatable {
    /// sha256 of the manifest bytes (32 bytes).
    package var sha256: [UInt8]
    /// The manifest's size in bytes.
    package var length: Int64
    /// Its media type (the `Content-Type` it was served with, parameters dropped).
    package var mediaType: String

    /// `sha256:<64 hex>`.
    package var digest: String { "sha256:" + Hex.encode(sha256) }
}

/// Reads a tag's manifest from an OCI distribution registry (distribution spec, "Pulling
/// manifests"), on SignetHTTP's client, for `signet add GUN TAG --from-registry`.
///
/// `GET <base>/v2/<name>/manifests/<tag>` with `Accept` naming the OCI image index and manifest and
/// Docker's manifest list and v2 manifest, so a multi-platform image gives its index. A `401`
/// challenge is answered as the distribution spec's token authentication describes
/// (`Auth/AuthSession.swift`: `Bearer realm,service,scope` → a token for
/// `repository:<name>:pull`, or `Basic`), once.
///
/// The rule (`Registry/RegistryClient.swift`): the digest signed is the sha256 of the bytes
/// received, never a header's word; a `Docker-Content-Digest` that is not that sha256 is refused,
/// as is a media type other than the four asked for (a schema 1 manifest's digest is not its
/// bytes'), and a manifest over 4 MiB (distribution's own limit).
package struct RegistryClient: Sendable {
    package var repository: RegistryRepository
    package var auth: AuthSession
    package var tls: TLSClientContext?
    /// Seconds each request may take in all (`HTTPClient.timeout`), the token request included.
    package var timeout: Double = HTTPClient.defaultTimeout

    /// The manifest media types asked for and accepted, in order of preference.
    package static let manifestMediaTypes = [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]

    /// The largest manifest accepted, in bytes (distribution's limit for a manifest PUT).
    package static let maxManifestBytes = 4 << 20

    /// - Parameters:
    ///   - credentials: sent when the registry challenges (`RegistryCredentials.find`).
    ///   - tls: trust anchors for an `https://` registry; nil for the system's.
    package init(repository: RegistryRepository, credentials: Credentials?, tls: TLSClientContext? = nil) {
        self.repository = repository
        self.auth = AuthSession(credentials: credentials, serverKind: "registry", credentialsSource: "SIGNET_REGISTRY_AUTH, or docker login")
        self.tls = tls
    }

    /// The manifest `tag` names in the repository.
    /// - Throws: `ClientError(.usage)` for a tag outside the distribution grammar;
    ///   `ClientError(.notTrusted)` (exit 1) when the registry has no such tag (404);
    ///   `ClientError(.rejected)` (exit 1) when it refuses (401 after authenticating, 403, other
    ///   errors, with its error code and message), sends a manifest over 4 MiB, a media type not
    ///   asked for, or a `Docker-Content-Digest` other than the bytes' sha256;
    ///   `ClientError(.unreachable)` (exit 3) when it cannot be reached.
    package func manifest(tag: String) throws -> RegistryManifest {
        try RegistryRepository.validateTag(tag)
        let url = repository.manifestURL(tag)
        let scope = "repository:\(repository.name):pull"
        let subject = "\(repository.name):\(tag) at \(repository.baseURL)"
        var response = try get(url, scope: scope)
        if response.status == 401, try auth.handleChallenge(response, scope: scope, serverURL: repository.baseURL, tls: tls, timeout: timeout) {
            response = try get(url, scope: scope)
        }
        switch response.status {
        case 200: break
        case 404: throw ClientError(.notTrusted, "the registry has no manifest for \(subject): \(Self.errorDetail(response)); nothing staged")
        case 401:
            throw ClientError(.rejected, "the registry refused \(subject) (set SIGNET_REGISTRY_AUTH to base64 of user:password, or docker login; credential helpers are not read): \(Self.errorDetail(response))")
        default: throw ClientError(.rejected, "the registry refused \(subject): \(Self.errorDetail(response))")
        }
        let mediaType = (response.headers["Content-Type"] ?? "").split(separator: ";").first.map { String($0).trimmingWhitespaceAndNewlines().lowercased() } ?? ""
        guard Self.manifestMediaTypes.contains(mediaType) else {
            throw ClientError(.rejected, "the registry sent \(subject) as \"\(mediaType.prefix(100))\", not an OCI or Docker v2 manifest or index; nothing staged")
        }
        let sha256 = Digest.sha256(response.body)
        let manifest = RegistryManifest(sha256: sha256, length: Int64(response.body.count), mediaType: mediaType)
        if let claimed = response.headers["Docker-Content-Digest"]?.trimmingWhitespaceAndNewlines(), !claimed.isEmpty {
            guard ExactName.equal(claimed, manifest.digest) else {
                throw ClientError(.rejected, "the registry's Docker-Content-Digest \(claimed.prefix(100)) for \(subject) is not the sha256 of the \(response.body.count) bytes it sent (\(manifest.digest)); nothing staged")
            }
        }
        return manifest
    }

    private func get(_ url: String, scope: String) throws -> HTTPResponse {
        var headers = HTTPHeaders([("Accept", Self.manifestMediaTypes.joined(separator: ", "))])
        if let authorization = auth.authorization(scope: scope) { headers.add("Authorization", authorization) }
        let client = HTTPClient(tls: tls, timeout: timeout, maxResponseBytes: Self.maxManifestBytes)
        do {
            return try client.send(method: "GET", url: url, headers: headers)
        } catch let error as HTTPError {
            if error.code == .tooLarge {
                throw ClientError(.rejected, "the registry's manifest for \(repository.name) at \(repository.baseURL) is larger than \(Self.maxManifestBytes) bytes; nothing staged")
            }
            throw ClientError(.unreachable, "cannot reach the registry at \(repository.baseURL): \(error.message)\(RemoteServer.timeoutHint(error))")
        }
    }

    /// The registry's first error (`{"errors":[{"code","message"}]}`) and the HTTP status, from at
    /// most 1 KiB of the body.
    static func errorDetail(_ response: HTTPResponse) -> String {
        if let value = try? JSONParser.parse(Array(response.body.prefix(1024))), let first = value["errors"]?.arrayValue?.first {
            let code = first["code"]?.stringValue ?? "?"
            let message = first["message"]?.stringValue ?? ""
            return "\(code.prefix(60)): \(message.prefix(200)) (HTTP \(response.status))"
        }
        return "HTTP \(response.status)"
    }
}
