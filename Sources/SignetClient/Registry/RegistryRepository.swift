import FoundationEssentials
import SignetTUF

/// Where a GUN's image lives in an OCI distribution registry: the registry's base URL, its host as
/// Docker names it (for config.json `auths`), and the repository name inside the registry.
///
/// The GUN is read as Docker reads an image reference (distribution's `reference` grammar): its
/// first path segment is the registry host when it holds a `.` or a `:` or is `localhost`
/// (`registry.example.com/team/app` → host `registry.example.com`, repository `team/app`);
/// otherwise the image is on Docker Hub (`docker.io`, API at `https://registry-1.docker.io`), a
/// one-segment name under `library/`. The registry is reached over `https://`, except loopback
/// hosts (`localhost`, `127.0.0.0/8`, `[::1]`), which Docker treats as insecure registries and
/// which are reached over `http://`. A URL given explicitly (`--from-registry URL`) replaces the
/// host's URL; the repository name still comes from the GUN.
package struct RegistryRepository: Sendable, Equatable {
    /// `http(s)://host[:port]`, no trailing `/`.
    package var baseURL: String
    /// The registry host as the GUN (or the URL) names it, `host[:port]`: the key of Docker's
    /// config.json `auths`. `docker.io` for Docker Hub.
    package var host: String
    /// The repository name in the registry, e.g. `team/app`.
    package var name: String

    init(baseURL: String, host: String, name: String) {
        self.baseURL = baseURL
        self.host = host
        self.name = name
    }

    /// The longest repository name the distribution spec allows, in bytes.
    package static let maxNameLength = 255

    /// - Parameters:
    ///   - gun: the collection's GUN (already `GUN.validate`d).
    ///   - url: the registry's base URL (`http://127.0.0.1:5000`), or nil to take it from the GUN.
    /// - Throws: `ClientError(.usage)` (exit 2) when the URL is not `http(s)://host[:port]` or the
    ///   repository name is not one the distribution spec allows (lower-case letters, digits,
    ///   separators `.` `_` `__` `-`, segments joined by `/`, at most 255 bytes).
    package init(gun: String, url: String?) throws {
        let segments = gun.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let first = segments[0]
        let hasHost = segments.count > 1 && (first.contains(".") || first.contains(":") || first == "localhost")
        let path = hasHost ? segments.dropFirst().joined(separator: "/") : gun
        if let url {
            var base = url
            while base.hasSuffix("/") { base.removeLast() }
            guard let components = URLComponents(string: base), let scheme = components.scheme?.lowercased(),
                  scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
                  components.path.isEmpty, components.query == nil, components.user == nil else {
                throw ClientError(.usage, "registry URL \(url) must be http(s)://HOST[:PORT] with no path")
            }
            self.baseURL = base
            self.host = components.port.map { "\(host):\($0)" } ?? host
            self.name = path
        } else if hasHost {
            self.host = first
            self.baseURL = (Self.isLoopback(first) ? "http://" : "https://") + first
            self.name = path
        } else {
            self.host = "docker.io"
            self.baseURL = "https://registry-1.docker.io"
            self.name = segments.count == 1 ? "library/" + gun : gun
        }
        try Self.validateName(name, gun: gun)
    }

    /// The distribution spec's repository name grammar: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
    /// segments joined by `/`, at most `maxNameLength` bytes.
    static func validateName(_ name: String, gun: String) throws {
        func fail(_ why: String) -> ClientError {
            ClientError(.usage, "\(gun) does not name a registry repository (\(name.prefix(80))): \(why)")
        }
        guard !name.isEmpty, name.utf8.count <= maxNameLength else { throw fail("a repository name has 1 to \(maxNameLength) bytes") }
        for segment in name.split(separator: "/", omittingEmptySubsequences: false) {
            let bytes = Array(segment.utf8)
            func isAlphanumeric(_ byte: UInt8) -> Bool {
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
            guard let head = bytes.first, let tail = bytes.last, isAlphanumeric(head), isAlphanumeric(tail) else {
                throw fail("each path segment starts and ends with a lower-case letter or digit")
            }
            var index = 0
            while index < bytes.count {
                if isAlphanumeric(bytes[index]) { index += 1; continue }
                var run = index
                while run < bytes.count, !isAlphanumeric(bytes[run]) { run += 1 }
                let separator = String(decoding: bytes[index..<run], as: UTF8.self)
                guard separator == "." || separator == "_" || separator == "__" || separator.allSatisfy({ $0 == "-" }) else {
                    throw fail("\"\(separator)\" is not a separator (., _, __ or dashes) between lower-case letters and digits")
                }
                index = run
            }
        }
    }

    /// The distribution spec's tag grammar: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    /// - Throws: `ClientError(.usage)` naming the tag.
    package static func validateTag(_ tag: String) throws {
        let bytes = Array(tag.utf8)
        func isWord(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
        guard let head = bytes.first, isWord(head), bytes.count <= 128,
              bytes.allSatisfy({ isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            throw ClientError(.usage, "\"\(tag.prefix(80))\" is not a registry tag (a letter, digit or _, then up to 127 of those, . or -)")
        }
    }

    /// `localhost`, an address in 127.0.0.0/8, or `[::1]`, with or without a port.
    static func isLoopback(_ hostPort: String) -> Bool {
        var host = Substring(hostPort)
        if host.hasPrefix("[") { return host.hasPrefix("[::1]") }
        if let colon = host.lastIndex(of: ":") { host = host[..<colon] }
        if host == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// `<base>/v2/<name>/manifests/<reference>`.
    func manifestURL(_ reference: String) -> String { "\(baseURL)/v2/\(name)/manifests/\(reference)" }
}
