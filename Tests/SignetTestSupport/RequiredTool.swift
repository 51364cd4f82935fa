import Foundation
import Testing

/// The outside tools the tests run, each with the Debian package that provides it. A missing tool
/// is a recorded issue naming that package, never a silent skip. scripts/test checks its package
/// list against every absolute tool path under Tests/.
public enum RequiredTool {
    /// Tool path → Debian package, for the packages scripts/test installs.
    public static let packages = [
        "/usr/bin/notary": "notary", "/usr/bin/notary-server": "notary", "/usr/bin/htpasswd": "apache2-utils",
        "/usr/bin/openssl": "openssl", "/usr/bin/umoci": "umoci", "/usr/bin/curl": "curl", "/usr/sbin/nginx": "nginx", "/usr/bin/jq": "jq",
        "/usr/bin/docker": "docker.io", "/usr/sbin/dockerd": "docker.io", "/usr/bin/docker-registry": "docker-registry",
        "/usr/bin/chromium": "chromium",
        "/usr/bin/python3": "python3", "/usr/bin/faketime": "faketime",
    ]

    /// Tool path → Debian package, for Essential packages (on every Debian machine, so in no list).
    public static let essentialPackages = ["/usr/bin/script": "bsdutils", "/usr/bin/setpriv": "util-linux"]

    /// What to do when `path` is missing: install its package.
    public static func missingMessage(_ path: String) -> String {
        if let package = packages[path] ?? essentialPackages[path] {
            return "\(path) is missing: install the Debian package \(package) (apt-get install -y \(package)); scripts/test installs every test package when run as root"
        }
        return "\(path) is missing: install the Debian package that provides it (apt-file search \(path)) and add it to scripts/test's package list"
    }

    /// True when `path` is an executable file; otherwise records an issue naming its Debian
    /// package (at the caller's source location) and returns false, for `guard … else { return }`.
    public static func isInstalled(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        if FileManager.default.isExecutableFile(atPath: path) { return true }
        Issue.record(Comment(rawValue: missingMessage(path)), sourceLocation: sourceLocation)
        return false
    }
}

/// A failure of the test machinery itself (a server that would not start, a tool that is missing).
public struct TestSupportFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
