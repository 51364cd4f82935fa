import FoundationEssentials
import SignetSupport
import SignetTUF

/// The credentials `signet add --from-registry` sends to a registry (or its token realm) when it
/// challenges: `SIGNET_REGISTRY_AUTH` (base64 of `user:password`, as `SIGNET_AUTH` is for the
/// trust server), else the entry for the registry's host in Docker's `config.json` `auths`
/// (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), whose `auth` is the same base64
/// (or `username` and `password` fields). Entries are matched by host as `docker login` writes
/// them: `host[:port]`, with or without `http(s)://` and a path (`https://index.docker.io/v1/`
/// for Docker Hub). Credential helpers (`credsStore`, `credHelpers`) are not run.
package enum RegistryCredentials {
    /// The largest config.json read, in bytes.
    static let maxConfigBytes = 1 << 20

    /// - Parameters:
    ///   - host: `RegistryRepository.host` (`docker.io` for Docker Hub).
    ///   - environment: the process environment (`SIGNET_REGISTRY_AUTH`, `DOCKER_CONFIG`, `HOME`).
    /// - Returns: nil when neither source has credentials for `host`.
    /// - Throws: `ClientError(.usage)` (exit 2) when `SIGNET_REGISTRY_AUTH` or the config entry is
    ///   not base64 of `user:password`, or config.json is not JSON (the message names the file,
    ///   never a secret); `TUFError(.tooLarge)` past 1 MiB.
    package static func find(host: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Credentials? {
        if let value = environment["SIGNET_REGISTRY_AUTH"]?.trimmingWhitespaceAndNewlines(), !value.isEmpty {
            return try Credentials.decode(value, source: "SIGNET_REGISTRY_AUTH")
        }
        let directory: String
        if let config = environment["DOCKER_CONFIG"], !config.isEmpty {
            directory = PathText.expandingTilde(config)
        } else if let home = environment["HOME"], !home.isEmpty {
            directory = PathText.appending(".docker", to: home)
        } else {
            return nil
        }
        let path = PathText.appending("config.json", to: directory)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let bytes = try BoundedFile.readInput(path, maxLength: maxConfigBytes, what: "Docker config")
        let config: JSONValue
        do { config = try JSONParser.parse(bytes, what: path) } catch {
            throw ClientError(.usage, "\(path) is not JSON: \(error)")
        }
        guard let auths = config["auths"]?.objectValue else { return nil }
        let wanted = host == "docker.io" ? ["docker.io", "index.docker.io", "registry-1.docker.io"] : [host]
        for (key, entry) in auths.sorted(by: { $0.key < $1.key }) where wanted.contains(where: { ExactName.equal($0, normalizedHost(key)) }) {
            if let auth = entry["auth"]?.stringValue, !auth.isEmpty {
                return try Credentials.decode(auth, source: "\(path) auths.\(key).auth")
            }
            if let user = entry["username"]?.stringValue, !user.isEmpty, let password = entry["password"]?.stringValue {
                return Credentials(user: user, password: password)
            }
        }
        return nil
    }

    /// A config.json `auths` key as a host: `https://index.docker.io/v1/` → `index.docker.io`.
    static func normalizedHost(_ key: String) -> String {
        var rest = Substring(key)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        return String(rest)
    }
}
