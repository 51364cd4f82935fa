import Foundation
import SignetCrypto
import SignetTestSupport
import Testing

/// `signet add GUN TAG --from-registry [URL]` against the real distribution registry
/// (docker-registry) with images pushed by the real `docker`: a single-platform image, an OCI
/// image index pushed by hand over the registry API, a missing tag, and a registry with token
/// authentication (the distribution spec's; credentials from `docker login`'s config.json and
/// from `SIGNET_REGISTRY_AUTH`).
@Suite struct AddFromRegistryTests {
    /// `signet add … --from-registry --json` in a fresh trust dir (`--role targets`: no trust
    /// server is asked); the parsed JSON document.
    static func add(_ gun: String, _ tag: String, url: String? = nil, environment: [String: String] = [:]) throws -> (CLI.Result, [String: Any]?) {
        let trust = try CLI.temporaryDirectory().path
        let result = try SignetBinary.run(["add", gun, tag] + (url.map { [$0] } ?? []) + ["--from-registry", "--role", "targets", "--json", "-d", trust],
                                          environment: environment)
        return (result, try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func singlePlatformImagePushedByDocker() throws {
        let daemon = try DockerDaemon.shared()
        let registry = try DockerRegistry.shared()
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let docker = try DockerCLI(daemon: daemon, work: work, name: "docker")
        let gun = "\(registry.hostPort)/from-registry/single"
        try docker.succeed(["tag", try DockerImages.id("one", daemon: daemon), "\(gun):1.0"])
        let pushed = try #require(DockerCLI.pushedDigest(try docker.succeed(["push", "\(gun):1.0"]).stdout))

        let (result, document) = try Self.add(gun, "1.0")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(document?["staged"] as? [String] == ["1.0"])
        let read = try #require(document?["registry"] as? [String: Any], "\(result.stdout)")
        #expect(read["digest"] as? String == pushed.digest)
        #expect(read["length"] as? Int == pushed.size)
        #expect(read["mediaType"] as? String == "application/vnd.docker.distribution.manifest.v2+json")
        #expect(read["url"] as? String == registry.url)
        #expect(read["repository"] as? String == "from-registry/single")

        // The registry named by URL instead of by the GUN: the GUN's host is not the registry's.
        let (mirrored, mirroredDocument) = try Self.add("registry.example.com/from-registry/single", "1.0", url: registry.url)
        #expect(mirrored.status == 0, "\(mirrored.stderr)")
        #expect((mirroredDocument?["registry"] as? [String: Any])?["digest"] as? String == pushed.digest)
    }

    /// Two imported images and an OCI image index over them, PUT by hand: the target is the index
    /// (what a multi-platform image's tag names), its digest the sha256 of the index bytes.
    @Test func imageIndexPushedOverTheRegistryAPI() throws {
        let daemon = try DockerDaemon.shared()
        let registry = try DockerRegistry.shared()
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let docker = try DockerCLI(daemon: daemon, work: work, name: "docker")
        let gun = "\(registry.hostPort)/from-registry/multi"
        var entries: [String] = []
        for (image, architecture) in [("one", "amd64"), ("two", "arm64")] {
            try docker.succeed(["tag", try DockerImages.id(image, daemon: daemon), "\(gun):\(architecture)"])
            let pushed = try #require(DockerCLI.pushedDigest(try docker.succeed(["push", "\(gun):\(architecture)"]).stdout))
            entries.append(#"{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"\#(pushed.digest)","size":\#(pushed.size),"platform":{"architecture":"\#(architecture)","os":"linux"}}"#)
        }
        let index = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[\#(entries.joined(separator: ","))]}"#
        let indexFile = work.appendingPathComponent("index.json")
        try Data(index.utf8).write(to: indexFile)
        let put = try CLI.run("/usr/bin/curl", ["-sS", "-f", "-X", "PUT", "-H", "Content-Type: application/vnd.oci.image.index.v1+json",
                                                "--data-binary", "@\(indexFile.path)", "\(registry.url)/v2/from-registry/multi/manifests/1.0"])
        try #require(put.status == 0, "PUT index: \(put.stderr)")

        let (result, document) = try Self.add(gun, "1.0")
        #expect(result.status == 0, "\(result.stderr)")
        let read = try #require(document?["registry"] as? [String: Any], "\(result.stdout)")
        #expect(read["digest"] as? String == "sha256:" + Hex.encode(Digest.sha256(Array(index.utf8))))
        #expect(read["length"] as? Int == index.utf8.count)
        #expect(read["mediaType"] as? String == "application/vnd.oci.image.index.v1+json")
    }

    @Test func missingTagExitsOneAndStagesNothing() throws {
        let registry = try DockerRegistry.shared()
        let trust = try CLI.temporaryDirectory().path
        let gun = "\(registry.hostPort)/from-registry/absent"
        let result = try SignetBinary.run(["add", gun, "9.9", "--from-registry", "--role", "targets", "-d", trust])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("the registry has no manifest for from-registry/absent:9.9 at \(registry.url)"), "\(result.stderr)")
        #expect(result.stderr.contains("nothing staged"), "\(result.stderr)")
        let status = try SignetBinary.run(["status", gun, "-d", trust])
        #expect(!status.stdout.contains("9.9"), "\(status.stdout)")
    }

    /// A registry with the distribution spec's token authentication: the registry challenges
    /// with `Bearer realm,service,scope`, the realm issues a JWT (signed with a key whose
    /// certificate the registry trusts) only for Basic `ci:ci-secret`. `docker login` writes the
    /// credentials into config.json `auths`, where Signet finds them; `SIGNET_REGISTRY_AUTH`
    /// works as well; without credentials, or with a wrong password, nothing is staged.
    @Test func tokenAuthenticationWithDockerLoginsCredentials() throws {
        let daemon = try DockerDaemon.shared()
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let realm = try TokenRealm(directory: work, repository: "from-registry/private")
        defer { realm.server.stop() }
        let registry = try DockerRegistry(auth: .token(realm: realm.url, service: TokenRealm.service, issuer: TokenRealm.issuer,
                                                       rootCertBundle: realm.certificate))
        defer { registry.stop() }
        let docker = try DockerCLI(daemon: daemon, work: work, name: "docker")
        let gun = "\(registry.hostPort)/from-registry/private"
        try docker.succeed(["tag", try DockerImages.id("two", daemon: daemon), "\(gun):1.0"])
        let unauthenticated = try docker.run(["push", "\(gun):1.0"])
        #expect(unauthenticated.status != 0, "push without login: \(unauthenticated.stdout)")
        try docker.succeed(["login", "-u", "ci", "--password-stdin", registry.hostPort], environment: [:], stdin: "ci-secret\n")
        let pushed = try #require(DockerCLI.pushedDigest(try docker.succeed(["push", "\(gun):1.0"]).stdout))

        let (withLogin, document) = try Self.add(gun, "1.0", environment: ["DOCKER_CONFIG": docker.config.path])
        #expect(withLogin.status == 0, "\(withLogin.stderr)")
        #expect((document?["registry"] as? [String: Any])?["digest"] as? String == pushed.digest, "\(withLogin.stdout)")

        let secret = Data("ci:ci-secret".utf8).base64EncodedString()
        let empty = work.appendingPathComponent("no-config").path
        let (withVariable, variableDocument) = try Self.add(gun, "1.0", environment: ["DOCKER_CONFIG": empty, "SIGNET_REGISTRY_AUTH": secret])
        #expect(withVariable.status == 0, "\(withVariable.stderr)")
        #expect((variableDocument?["registry"] as? [String: Any])?["digest"] as? String == pushed.digest)

        let (anonymous, _) = try Self.add(gun, "1.0", environment: ["DOCKER_CONFIG": empty])
        #expect(anonymous.status == 1, "\(anonymous.stdout) \(anonymous.stderr)")
        #expect(anonymous.stderr.contains("refused to issue a token for repository:from-registry/private:pull without credentials (set SIGNET_REGISTRY_AUTH, or docker login)"), "\(anonymous.stderr)")

        let wrong = Data("ci:not-the-secret".utf8).base64EncodedString()
        let (refused, _) = try Self.add(gun, "1.0", environment: ["DOCKER_CONFIG": empty, "SIGNET_REGISTRY_AUTH": wrong])
        #expect(refused.status == 1, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("wrong user name or password for \(realm.url)"), "\(refused.stderr)")
        #expect(!refused.stderr.contains("not-the-secret") && !refused.stderr.contains(wrong), "\(refused.stderr)")
    }
}

/// A token realm for the distribution spec's token authentication: every request with Basic
/// `ci:ci-secret` gets one ES256 JWT (header `x5c`: the signing key's self-signed certificate,
/// which the registry's `rootcertbundle` holds) granting pull and push on `repository`; a request
/// with other credentials gets 401; one without gets 401 too (no anonymous access).
final class TokenRealm: Sendable {
    static let service = "signet-test-registry"
    static let issuer = "signet-test-realm"
    let server: HostileServer
    /// The certificate file for the registry's `rootcertbundle`.
    let certificate: String

    var url: String { server.url + "/token" }

    init(directory: URL, repository: String) throws {
        let keyFile = directory.appendingPathComponent("realm.key").path
        certificate = directory.appendingPathComponent("realm.crt").path
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", keyFile,
                            "-out", certificate, "-days", "2", "-subj", "/CN=signet test token realm"])
        let key = try PrivateKey(pemBlock: try #require(try PEMBlock.parseAll(String(contentsOfFile: keyFile, encoding: .utf8)).first), passphrase: nil)
        let certificateDER = try #require(try PEMBlock.parseAll(String(contentsOfFile: certificate, encoding: .utf8)).first).der
        func base64URL(_ bytes: [UInt8]) -> String {
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let now = Int(Date().timeIntervalSince1970)
        let header = #"{"alg":"ES256","typ":"JWT","x5c":["\#(Data(certificateDER).base64EncodedString())"]}"#
        let claims = #"{"iss":"\#(Self.issuer)","sub":"ci","aud":"\#(Self.service)","exp":\#(now + 3600),"nbf":\#(now - 60),"iat":\#(now),"jti":"\#(UUID().uuidString)","access":[{"type":"repository","name":"\#(repository)","actions":["pull","push"]}]}"#
        let input = base64URL(Array(header.utf8)) + "." + base64URL(Array(claims.utf8))
        let token = input + "." + base64URL(try key.sign(Array(input.utf8), method: .ecdsa))
        let expected = "authorization: basic " + Data("ci:ci-secret".utf8).base64EncodedString().lowercased()
        server = try HostileServer(.respond { request in
            let lines = request.split(separator: "\r\n").map { $0.lowercased() }
            guard lines.contains(expected) else {
                return "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"signet-test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            }
            let body = #"{"token":"\#(token)","access_token":"\#(token)","expires_in":3600}"#
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        })
    }
}
