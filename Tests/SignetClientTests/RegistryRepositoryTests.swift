import Foundation
@testable import SignetClient
import Testing

/// `RegistryRepository`: a GUN read as Docker reads an image reference, and
/// `RegistryCredentials`: `SIGNET_REGISTRY_AUTH`, else Docker's config.json `auths`.
@Suite struct RegistryRepositoryTests {
    @Test(arguments: [
        ("registry.example.com/team/app", "https://registry.example.com", "registry.example.com", "team/app"),
        ("registry.example.com:5000/app", "https://registry.example.com:5000", "registry.example.com:5000", "app"),
        ("127.0.0.1:5000/demo/app", "http://127.0.0.1:5000", "127.0.0.1:5000", "demo/app"),
        ("127.1.2.3/demo/app", "http://127.1.2.3", "127.1.2.3", "demo/app"),
        ("localhost/app", "http://localhost", "localhost", "app"),
        ("localhost:5000/app", "http://localhost:5000", "localhost:5000", "app"),
        ("team/app", "https://registry-1.docker.io", "docker.io", "team/app"),
        ("alpine", "https://registry-1.docker.io", "docker.io", "library/alpine"),
        ("127.0.0.1.example.com/app", "https://127.0.0.1.example.com", "127.0.0.1.example.com", "app"),
    ])
    func gunNamesItsRegistry(_ gun: String, _ baseURL: String, _ host: String, _ name: String) throws {
        let repository = try RegistryRepository(gun: gun, url: nil)
        #expect(repository == RegistryRepository(baseURL: baseURL, host: host, name: name))
    }

    @Test func aURLReplacesTheGUNsHost() throws {
        let repository = try RegistryRepository(gun: "registry.example.com/team/app", url: "http://127.0.0.1:5000/")
        #expect(repository == RegistryRepository(baseURL: "http://127.0.0.1:5000", host: "127.0.0.1:5000", name: "team/app"))
        for bad in ["ftp://127.0.0.1", "http://127.0.0.1:5000/v2", "127.0.0.1:5000", "http://user@127.0.0.1"] {
            #expect(throws: ClientError.self, "\(bad)") { try RegistryRepository(gun: "registry.example.com/team/app", url: bad) }
        }
    }

    @Test(arguments: ["registry.example.com/Team/app", "registry.example.com/team/-app", "registry.example.com/team/app.", "registry.example.com/a..b",
                      "registry.example.com/a___b", "registry.example.com/a/%2e%2e", "registry.example.com/" + String(repeating: "a", count: 256)])
    func namesOutsideTheDistributionGrammarAreRefused(_ gun: String) {
        let error = #expect(throws: ClientError.self) { try RegistryRepository(gun: gun, url: nil) }
        #expect(error?.code == .usage)
        #expect(error?.message.contains("does not name a registry repository") == true, "\(error?.message ?? "")")
    }

    @Test func theDistributionGrammarsSeparatorsAreAccepted() throws {
        for name in ["a.b", "a_b", "a__b", "a-b", "a---b", "a/b/c", "0/9"] {
            #expect(throws: Never.self, "\(name)") { try RegistryRepository(gun: "registry.example.com/" + name, url: nil) }
        }
    }

    @Test func tags() {
        for tag in ["1.0", "latest", "_x", "A-b.C_d", String(repeating: "a", count: 128)] {
            #expect(throws: Never.self, "\(tag)") { try RegistryRepository.validateTag(tag) }
        }
        for tag in ["", ".1", "-1", "a/b", "a:b", "a%2F", "a b", String(repeating: "a", count: 129), "é"] {
            #expect(throws: ClientError.self, "\(tag)") { try RegistryRepository.validateTag(tag) }
        }
    }

    @Test func credentialsFromTheEnvironmentComeFirst() throws {
        let config = try Self.dockerConfig(#"{"auths":{"127.0.0.1:5000":{"auth":"\#(Self.base64("from:config"))"}}}"#)
        let credentials = try RegistryCredentials.find(host: "127.0.0.1:5000", environment: ["SIGNET_REGISTRY_AUTH": Self.base64("from:env"), "DOCKER_CONFIG": config])
        #expect(credentials?.user == "from")
        #expect(credentials?.password == "env")
        let error = #expect(throws: ClientError.self) {
            try RegistryCredentials.find(host: "127.0.0.1:5000", environment: ["SIGNET_REGISTRY_AUTH": "not base64 of a pair"])
        }
        #expect(error?.message == "SIGNET_REGISTRY_AUTH must be base64 of user:password")
    }

    @Test func dockerConfigAuthsAreMatchedByHost() throws {
        let config = try Self.dockerConfig("""
        {"auths":{"https://index.docker.io/v1/":{"auth":"\(Self.base64("hub:one"))"},
                  "http://127.0.0.1:5000":{"auth":"\(Self.base64("local:two"))"},
                  "registry.example.com":{"username":"named","password":"three"},
                  "other.example.com":{}},
         "credsStore":"desktop"}
        """)
        func user(_ host: String) throws -> String? { try RegistryCredentials.find(host: host, environment: ["DOCKER_CONFIG": config])?.user }
        #expect(try user("docker.io") == "hub")
        #expect(try user("127.0.0.1:5000") == "local")
        #expect(try user("registry.example.com") == "named")
        #expect(try user("other.example.com") == nil)
        #expect(try user("127.0.0.1") == nil)
        #expect(try user("REGISTRY.example.com") == nil)
        #expect(try RegistryCredentials.find(host: "x.example.com", environment: ["DOCKER_CONFIG": "/nonexistent"]) == nil)
    }

    @Test func aConfigThatIsNotJSONIsNamed() throws {
        let config = try Self.dockerConfig("{auths")
        let error = #expect(throws: ClientError.self) { try RegistryCredentials.find(host: "h.example.com", environment: ["DOCKER_CONFIG": config]) }
        #expect(error?.code == .usage)
        #expect(error?.message.hasPrefix(config + "/config.json is not JSON") == true, "\(error?.message ?? "")")
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    static func dockerConfig(_ json: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("signet-docker-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(json.utf8).write(to: directory.appendingPathComponent("config.json"))
        return directory.path
    }
}
