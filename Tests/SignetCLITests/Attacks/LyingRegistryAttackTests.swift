import Foundation
import SignetCrypto
import SignetTestSupport
import Testing

/// A lying registry against `signet add --from-registry`: what Signet signs for a tag must be the
/// sha256 of the manifest bytes it received, never a header's word. A registry (or a proxy in
/// front of it) that names one digest and sends other bytes, sends a schema 1 manifest (whose
/// digest is not its bytes'), a body without end, or a tag that climbs out of the repository's
/// path, gets nothing staged. (The attack of a registry serving one manifest to the signer and
/// another to the puller is what Docker Content Trust exists to stop; the signer must sign what
/// it actually saw.)
@Suite("Attack: lying registry") struct LyingRegistryAttackTests {
    static let manifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}"#

    static func response(contentType: String, digest: String?, body: String, length: Int? = nil) -> String {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: \(contentType)\r\nContent-Length: \(length ?? body.utf8.count)\r\nConnection: close\r\n"
        if let digest { head += "Docker-Content-Digest: \(digest)\r\n" }
        return head + "\r\n" + body
    }

    static func add(_ registry: HostileServer, tag: String = "1.0") throws -> CLI.Result {
        let trust = try CLI.temporaryDirectory().path
        let result = try SignetBinary.run(["add", "registry.example.com/lying/app", tag, registry.url, "--from-registry", "--role", "targets", "-d", trust])
        let status = try SignetBinary.run(["status", "registry.example.com/lying/app", "-d", trust])
        #expect(!status.stdout.contains(tag), "a refused manifest was staged: \(status.stdout)")
        return result
    }

    @Test func aDigestHeaderThatIsNotTheBytesSha256IsRefused() throws {
        let other = "sha256:" + Hex.encode(Digest.sha256(Array("another manifest".utf8)))
        let registry = try HostileServer(.reply(Self.response(contentType: "application/vnd.docker.distribution.manifest.v2+json", digest: other, body: Self.manifest)))
        defer { registry.stop() }
        let result = try Self.add(registry)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        let actual = "sha256:" + Hex.encode(Digest.sha256(Array(Self.manifest.utf8)))
        #expect(result.stderr.contains("the registry's Docker-Content-Digest \(other) for lying/app:1.0 at \(registry.url) is not the sha256 of the \(Self.manifest.utf8.count) bytes it sent (\(actual)); nothing staged"), "\(result.stderr)")
    }

    /// The same bytes with a truthful header are staged, so the refusal above is the digest's.
    @Test func theSameManifestWithItsOwnDigestIsStaged() throws {
        let actual = "sha256:" + Hex.encode(Digest.sha256(Array(Self.manifest.utf8)))
        let registry = try HostileServer(.reply(Self.response(contentType: "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8", digest: actual, body: Self.manifest)))
        defer { registry.stop() }
        let trust = try CLI.temporaryDirectory().path
        let result = try SignetBinary.run(["add", "registry.example.com/lying/app", "1.0", registry.url, "--from-registry", "--role", "targets", "-d", trust])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("lying/app:1.0 at \(registry.url) is \(actual) (\(Self.manifest.utf8.count) bytes"), "\(result.stdout)")
    }

    @Test func aSchema1ManifestIsRefused() throws {
        let registry = try HostileServer(.reply(Self.response(contentType: "application/vnd.docker.distribution.manifest.v1+prettyjws", digest: nil, body: Self.manifest)))
        defer { registry.stop() }
        let result = try Self.add(registry)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains(#"as "application/vnd.docker.distribution.manifest.v1+prettyjws", not an OCI or Docker v2 manifest or index; nothing staged"#), "\(result.stderr)")
    }

    @Test func aManifestOverFourMebibytesIsRefusedBeforeItIsRead() throws {
        let registry = try HostileServer(.reply(Self.response(contentType: "application/vnd.oci.image.manifest.v1+json", digest: nil, body: "", length: 1 << 30)))
        defer { registry.stop() }
        let result = try Self.add(registry)
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("is larger than 4194304 bytes; nothing staged"), "\(result.stderr)")
    }

    /// A registry that names a token realm on another host over plain HTTP does not get the
    /// registry credentials sent there (they would cross the network in the clear to a host the
    /// user never named): refused before the realm is asked.
    @Test func aPlainHTTPRealmOnAnotherHostGetsNoCredentials() throws {
        let seen = RequestLog()
        let realm = try HostileServer(.respond { request in
            seen.append(request)
            return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"token\":\"abc\"}"
        })
        defer { realm.stop() }
        let challenge = "Bearer realm=\"http://localhost:\(realm.port)/token\",service=\"registry\",scope=\"repository:lying/app:pull\""
        let registry = try HostileServer(.reply("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: \(challenge)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
        defer { registry.stop() }
        let trust = try CLI.temporaryDirectory().path
        let secret = Data("ci:realm-secret".utf8).base64EncodedString()
        let result = try SignetBinary.run(["add", "registry.example.com/lying/app", "1.0", registry.url, "--from-registry", "--role", "targets", "-d", trust],
                                          environment: ["SIGNET_REGISTRY_AUTH": secret])
        #expect(result.status == 1, "\(result.stdout) \(result.stderr)")
        #expect(result.stderr.contains("refusing to send credentials to the token realm http://localhost:\(realm.port)/token over plain HTTP on another host than the registry"), "\(result.stderr)")
        #expect(seen.requests.isEmpty, "the realm was asked: \(seen.requests)")
        #expect(!result.stderr.contains("realm-secret") && !result.stderr.contains(secret))
    }

    /// A tag is checked against the distribution grammar before it reaches a URL: `../` cannot
    /// turn the manifest request into another repository's (or another route's).
    @Test func aTagThatLeavesTheRepositoryPathIsRefusedBeforeAnyRequest() throws {
        let registry = try HostileServer(.reply(Self.response(contentType: "application/vnd.docker.distribution.manifest.v2+json", digest: nil, body: Self.manifest)))
        defer { registry.stop() }
        for tag in ["../../other/app/manifests/1.0", "1.0?x=y", "1.0%2F..", ".1.0", String(repeating: "a", count: 129)] {
            let trust = try CLI.temporaryDirectory().path
            let result = try SignetBinary.run(["add", "registry.example.com/lying/app", tag, registry.url, "--from-registry", "--role", "targets", "-d", trust])
            #expect(result.status == 2, "\(tag): \(result.stdout) \(result.stderr)")
            #expect(result.stderr.contains("is not a registry tag"), "\(tag): \(result.stderr)")
        }
    }
}

/// The requests a scripted server received.
final class RequestLog: @unchecked Sendable {
    // @unchecked Sendable: `entries` is touched only while holding `lock`.
    private let lock = NSLock()
    private var entries: [String] = []

    func append(_ request: String) { lock.withLock { entries.append(request) } }
    var requests: [String] { lock.withLock { entries } }
}
