import Foundation
@testable import SignetServer
import Testing

/// `signet serve`'s config and policy files: every wrong type, unknown key and out-of-range value
/// is refused with one line naming the file and the key (the messages are pinned here, so the
/// move from a `[String: Any]` walk to `JSONDecoder` cannot change them).
@Suite struct ConfigFileTests {
    static func problem(config text: String) throws -> String? {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path + "/config.json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try ServeConfiguration.load(file: path)
            return nil
        } catch let problem as ServeConfiguration.Problem {
            return problem.description.replacingOccurrences(of: path, with: "FILE")
        }
    }

    @Test(arguments: [
        (#"[1]"#, "config file FILE is not a JSON object"),
        (#"{"server": {"listen": 1}}"#, "FILE: server.listen must be a string"),
        (#"{"server": {"http_addr": null}}"#, "FILE: server.listen must be a string"),
        (#"{"storage": {"directory": ["a"]}}"#, "FILE: storage.directory must be a string"),
        (#"{"trust_service": {"key_algorithm": "rsa"}}"#, "FILE: trust_service.key_algorithm must be ed25519 or ecdsa, not rsa"),
        (#"{"caching": {"max_age": {"current_metadata": -1}}}"#, "FILE: caching.max_age.current_metadata must be an integer in 0…31536000"),
        (#"{"limits": {"max_connections": true}}"#, "FILE: limits.max_connections must be an integer in 1…100000"),
        (#"{"limits": {"read_timeout_seconds": 1.5}}"#, "FILE: limits.read_timeout_seconds must be an integer in 1…3600"),
        (#"{"limits": {"max_connections": 10.0}}"#, "FILE: limits.max_connections must be an integer in 1…100000"),
        (#"{"auth": {"max_failed_logins_per_minute": 1e3}}"#, "FILE: auth.max_failed_logins_per_minute must be an integer in 1…10000"),
        (#"{"limits": {"max_body_bytes": "big"}}"#, "FILE: limits.max_body_bytes must be an integer in 1024…17179869184"),
        (#"{"logging": {"level": 3}}"#, "FILE: logging.level must be a string"),
        (#"{"repositories": {"gun_prefixes": "example.com/"}}"#, "FILE: repositories.gun_prefixes must be a list of strings"),
        (#"{"repositories": {"gun_prefixes": ["../x/"]}}"#, "FILE: GUN prefix ../x/ must be a clean path ending in / that does not start with / or .."),
        (#"{"auth": "htpasswd"}"#, "FILE: auth must be an object"),
        (#"{"auth": {"pasword": "oops"}}"#, "FILE: unknown key auth.pasword"),
        (#"{"auth": {"htpasswd": ""}}"#, "FILE: auth.htpasswd must be a non-empty string"),
        (#"{"auth": {"type": "basic"}}"#, "FILE: auth.type must be token (Notary's form) or absent"),
        (#"{"auth": {"token": []}}"#, "FILE: auth.token must be an object"),
        (#"{"auth": {"token": {"realm": "r", "service": "s"}}}"#, "FILE: auth.token needs realm, service, issuer and rootcertbundle (or key_file)"),
        (#"{"auth": {"token": {"realm": 5}}}"#, "FILE: auth.token.realm must be a non-empty string"),
        (#"{"auth": {"max_failed_logins_per_minute": 0}}"#, "FILE: auth.max_failed_logins_per_minute must be an integer in 1…10000"),
        (#"{"auth": {"insecure_no_auth": "yes"}}"#, "FILE: auth.insecure_no_auth must be true or false"),
        (#"{"auth": {"policy": 5}}"#, #"FILE: auth.policy: a policy is {"rules": [...]}"#),
        (#"{"auth": {"policy": {"rules": [7]}}}"#, "FILE: auth.policy: rule 1 is not an object"),
        (#"{"auth": {"policy": [{"identities": [], "guns": ["*"], "actions": ["pull"]}]}}"#, "FILE: auth.policy: rule 1: identities must be a non-empty list of strings"),
        (#"{"auth": {"policy": [{"identities": ["a"], "guns": [""], "actions": ["pull"]}]}}"#, "FILE: auth.policy: rule 1: guns must be a non-empty list of GUN patterns"),
        (#"{"auth": {"policy": [{"identities": ["a"], "guns": ["*"]}]}}"#, "FILE: auth.policy: rule 1: actions must be a non-empty list of pull, push, *"),
        (#"{"auth": {"policy": [{"identities": ["a"], "guns": ["*"], "actions": ["pull"]}, {"identities": ["a"], "guns": ["*"], "actions": ["write"]}]}}"#, "FILE: auth.policy: rule 2: unknown action write (pull, push or *)"),
    ])
    func wrongValuesNameTheKey(_ text: String, _ expected: String) throws {
        let problem = try Self.problem(config: text)
        #expect(problem == expected, "\(problem ?? "accepted")")
    }

    /// Duplicate keys are refused (Signet's strict parser), not resolved to the last one.
    @Test func duplicateKeysAreNotJSON() throws {
        #expect(try Self.problem(config: #"{"server": {"listen": "127.0.0.1:1"}, "server": {"listen": "0.0.0.0:1"}}"#) == "config file FILE is not a JSON object")
    }

    /// Unknown keys outside `auth` and sections of another type are ignored, as before.
    @Test func unknownKeysOutsideAuthAreIgnored() throws {
        #expect(try Self.problem(config: #"{"server": 5, "extra": {"x": 1}, "limits": {"unknown": true}, "storage": {"directory": "/data"}}"#) == nil)
    }

    @Test func policyFileMessagesNameTheFile() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let path = scratch.path + "/policy.json"
        for (text, expected) in [("not json", "policy file FILE is not JSON"),
                                 (#"{"rules": {}}"#, #"FILE: a policy is {"rules": [...]}"#),
                                 (#"{"rules": [{"identities": "a", "guns": ["*"], "actions": ["*"]}]}"#, "FILE: rule 1: identities must be a non-empty list of strings")] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: AccessPolicy.Problem.self) { try AccessPolicy.load(file: path) }
            do { _ = try AccessPolicy.load(file: path) } catch let problem as AccessPolicy.Problem {
                #expect(problem.description.replacingOccurrences(of: path, with: "FILE") == expected)
            }
        }
    }
}
