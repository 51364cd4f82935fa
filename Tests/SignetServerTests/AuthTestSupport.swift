import Foundation
import SignetHTTP
import SignetTestSupport
import Testing

/// Helpers for the access-control tests: htpasswd files, policies, the notary client with
/// `NOTARY_AUTH`, and Basic headers.
enum AuthFixture {
    /// Writes an htpasswd file with `htpasswd -B` (Debian apache2-utils) for `users` (name → password).
    static func htpasswd(_ users: [(String, String)], at path: String) throws {
        for (index, (user, password)) in users.enumerated() {
            let arguments = (index == 0 ? ["-c"] : []) + ["-B", "-b", path, user, password]
            let result = try runCommand("/usr/bin/htpasswd", arguments)
            try #require(result.status == 0, "htpasswd: \(result.stderr)")
        }
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    static func basic(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    static func notaryAuth(_ user: String, _ password: String) -> String {
        Data("\(user):\(password)".utf8).base64EncodedString()
    }

    /// True when the notary client is installed; otherwise records an issue naming its Debian package.
    static func notaryInstalled(sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        RequiredTool.isInstalled(NotaryCLI.binary, sourceLocation: sourceLocation)
    }

    /// Runs the real notary client with `NOTARY_AUTH` (nil = none) and the test passphrases.
    static func notary(_ server: String, trustDir: String, auth: String?, _ arguments: [String], extra: [String] = [],
                       stdin: Data? = nil) throws -> CommandResult {
        var environment = NotaryCLI.environment
        environment["NOTARY_AUTH"] = auth ?? ""
        return try runCommand(NotaryCLI.binary, ["-s", server, "-d", trustDir] + extra + arguments, stdin: stdin, environment: environment)
    }

    /// The sha256 of the current timestamp.json as `user` sees it (nil when not 200).
    static func timestamp(port: Int, gun: String, as credentials: (String, String)) throws -> String? {
        let response = try RawHTTP.send(port: port, method: "GET", target: "/v2/\(gun)/_trust/tuf/timestamp.json", headers: [credentials])
        guard response.status == 200 else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }
}
