import Foundation
import SignetTestSupport
import Testing

/// Issue 14: real Docker Content Trust. The real `docker` client and daemon (docker.io) and a real
/// registry (docker-registry) run one scenario against notary-server 0.7 over TLS, as the
/// reference, and against `signet serve` over TLS; `docker trust inspect --json` and `--pretty`
/// give the same answers from both, field by field, key IDs aside (the images are the same, so
/// the digests are too).
///
/// The scenario: `docker push` with DCT initialises the collection; a signer's key is generated
/// and added (`targets/releases` and `targets/alice`); the signer signs a tag; a tag is pushed
/// unsigned; Signet stages a tag from the registry (`add --from-registry`) into `targets/releases`
/// with the signer's key from Docker's trust dir and publishes it; Signet adds a signer (`bob`);
/// trusted pulls of the signed tags (local tags removed first) get the digests `signet verify`
/// gives; pulls of the unsigned tag and of a revoked tag are refused; the signers are removed,
/// the last one leaving `"keyids": null` (issue 10 §2), and a trusted pull still works.
@Suite(.serialized) struct DockerContentTrustTests {
    static let images = ["one", "two", "four", "unsigned"]

    @Test func sameScenarioOnNotaryServerAndSignetServe() throws {
        let daemon = try DockerDaemon.shared()
        let registry = try DockerRegistry.shared()
        let ids = try Dictionary(uniqueKeysWithValues: Self.images.map { ($0, try DockerImages.id($0, daemon: daemon)) })
        var answers: [TrustServerKind: [String: Any]] = [:]
        for kind in [TrustServerKind.notary, .signet] {
            let started = Date()
            answers[kind] = try Self.scenario(kind, daemon: daemon, registry: registry, images: ids)
            print("DockerContentTrustTests: the scenario against \(kind.rawValue) took \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
        let notary = try #require(answers[.notary]), signet = try #require(answers[.signet])
        #expect(notary.count == 10 && Set(notary.keys) == Set(signet.keys), "checkpoints: \(notary.keys.sorted()) and \(signet.keys.sorted())")
        for checkpoint in notary.keys.sorted() {
            let differences = Self.differences(notary[checkpoint], signet[checkpoint], path: checkpoint)
            #expect(differences.isEmpty, "docker trust inspect differs between notary-server and signet serve:\n\(differences.joined(separator: "\n"))")
        }
    }

    /// Runs the scenario against a fresh server of `kind`; returns `docker trust inspect`'s
    /// answers at each checkpoint, normalised (the GUN as `<gun>`, key IDs as `<key>`).
    static func scenario(_ kind: TrustServerKind, daemon: DockerDaemon, registry: DockerRegistry, images: [String: String]) throws -> [String: Any] {
        let work = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let (ca, cert, key) = try EndToEndTests.makeTLS(in: work)
        let serverURL: String
        let stopServer: () -> Void
        switch kind {
        case .notary:
            let server = try NotaryServer(tls: (cert, key))
            serverURL = server.url
            stopServer = { server.stop() }
        case .signet:
            let server = try SignetServe(directory: work.appendingPathComponent("serve"), arguments: ["--tls-cert", cert, "--tls-key", key])
            serverURL = server.url
            stopServer = { _ = server.stop() }
        }
        defer { stopServer() }
        let gun = "\(registry.hostPort)/dct-\(kind.rawValue)/app"
        let passphrases = ["DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE": "dct-root-pass"]
        let admin = try DockerCLI(daemon: daemon, work: work, name: "admin", trustServer: serverURL, caFile: ca,
                                  environment: passphrases.merging(["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "dct-admin-pass"]) { $1 })
        let alice = try DockerCLI(daemon: daemon, work: work, name: "alice", trustServer: serverURL, caFile: ca,
                                  environment: ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "dct-alice-pass"])
        let bob = try DockerCLI(daemon: daemon, work: work, name: "bob", trustServer: serverURL, caFile: ca,
                                environment: ["DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE": "dct-bob-pass"])
        let keys = work.appendingPathComponent("keys").path
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        func signet(_ arguments: [String], trustDir: String, environment: [String: String] = [:]) throws -> CLI.Result {
            try SignetBinary.run(arguments + ["-d", trustDir, "-s", serverURL, "--tls-ca", ca], environment: environment)
        }
        func verifiedDigest(_ tag: String) throws -> String? {
            let result = try signet(["verify", "\(gun):\(tag)", "--json"], trustDir: work.appendingPathComponent("verify-\(UUID().uuidString)").path)
            let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return result.status == 0 ? object?["digest"] as? String : nil
        }
        var answers: [String: Any] = [:]
        var knownKeyIDs: Set<String> = []
        func inspect(_ checkpoint: String) throws {
            let json = try admin.succeed(["trust", "inspect", gun])
            let value = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
            Self.collectKeyIDs(value, into: &knownKeyIDs)
            answers[checkpoint + " --json"] = Self.normalise(value, gun: gun)
            var pretty = try admin.succeed(["trust", "inspect", "--pretty", gun]).stdout.replacingOccurrences(of: gun, with: "<gun>")
            for id in knownKeyIDs { pretty = pretty.replacingOccurrences(of: id, with: "<key>").replacingOccurrences(of: String(id.prefix(12)), with: "<key>") }
            answers[checkpoint + " --pretty"] = pretty
        }
        for (tag, image) in [("1.0", "one"), ("2.0", "two"), ("4.0", "four"), ("unsigned", "unsigned")] {
            try admin.succeed(["tag", try #require(images[image]), "\(gun):\(tag)"])
        }

        // 0. Before any trust data: inspect and a trusted pull say so, in the same words.
        func refusal(_ result: CLI.Result) -> String {
            let server = serverURL.replacingOccurrences(of: "https://", with: "")
            return "exit \(result.status): " + (result.stdout + result.stderr).replacingOccurrences(of: gun, with: "<gun>")
                .replacingOccurrences(of: server, with: "<server>")
        }
        try admin.succeed(["tag", try #require(images["one"]), "\(gun):none"])
        let inspectedEmpty = try admin.run(["trust", "inspect", gun])
        answers["0 inspect before any trust data"] = refusal(inspectedEmpty)
        let pulledEmpty = try admin.run(["pull", "\(gun):none"], trust: true)
        #expect(pulledEmpty.status != 0, "\(pulledEmpty.stdout)")
        answers["0 trusted pull before any trust data"] = refusal(pulledEmpty)
        try admin.succeed(["rmi", "\(gun):none"])

        // 1. A trusted push initialises the collection.
        let pushed = try admin.succeed(["push", "\(gun):1.0"], trust: true)
        #expect(pushed.stdout.contains("Successfully signed \(gun):1.0"), "\(pushed.stdout)")
        let digest1 = try #require(DockerCLI.pushedDigest(pushed.stdout)?.digest, "\(pushed.stdout)")
        try inspect("1 after the first push")

        // 2. A signer: key generated by alice, added by the admin (targets/releases, targets/alice).
        try alice.succeed(["trust", "key", "generate", "alice", "--dir", keys])
        let added = try admin.succeed(["trust", "signer", "add", "--key", keys + "/alice.pub", "alice", gun])
        #expect(added.stdout.contains("Successfully added signer: alice to \(gun)"), "\(added.stdout)")
        let signed = try alice.succeed(["trust", "sign", "\(gun):2.0"])
        #expect(signed.stdout.contains("Successfully signed \(gun):2.0"), "\(signed.stdout)")
        let digest2 = try #require(DockerCLI.pushedDigest(signed.stdout)?.digest, "\(signed.stdout)")

        // 3. Tags pushed without trust.
        try admin.succeed(["push", "\(gun):unsigned"])
        let pushed4 = try admin.succeed(["push", "\(gun):4.0"])
        let digest4 = try #require(DockerCLI.pushedDigest(pushed4.stdout), "\(pushed4.stdout)")

        // 4. Signet signs 4.0 from the registry with alice's key, from Docker's own trust dir:
        //    into targets/releases (its default there) and, as docker trust sign does, into
        //    targets/alice, which is where docker trust inspect reads the signer's name from.
        let stagedDefault = try signet(["add", gun, "4.0", "--from-registry"], trustDir: alice.trustDir)
        #expect(stagedDefault.stdout.contains(#"to role "targets/releases""#), "\(stagedDefault.stdout) \(stagedDefault.stderr)")
        _ = try signet(["reset", gun], trustDir: alice.trustDir)
        let staged = try signet(["add", gun, "4.0", "--from-registry", "--role", "targets/releases", "--role", "targets/alice", "--json"], trustDir: alice.trustDir)
        try #require(staged.status == 0, "signet add --from-registry: \(staged.stderr)")
        let stagedDocument = try #require(try JSONSerialization.jsonObject(with: Data(staged.stdout.utf8)) as? [String: Any])
        #expect(stagedDocument["roles"] as? [String] == ["targets/releases", "targets/alice"], "\(staged.stdout)")
        #expect((stagedDocument["registry"] as? [String: Any])?["digest"] as? String == digest4.digest, "\(staged.stdout)")
        #expect((stagedDocument["registry"] as? [String: Any])?["length"] as? Int == digest4.size, "\(staged.stdout)")
        let published = try signet(["publish", gun], trustDir: alice.trustDir, environment: ["SIGNET_DELEGATION_PASSPHRASE": "dct-alice-pass"])
        try #require(published.status == 0, "signet publish as alice: \(published.stderr)")

        // 5. Signet adds a signer, bob, as docker trust signer add does.
        try bob.succeed(["trust", "key", "generate", "bob", "--dir", keys])
        for role in ["targets/bob", "targets/releases"] {
            let delegated = try signet(["delegation", "add", gun, role, keys + "/bob.pub", "--all-paths"], trustDir: admin.trustDir)
            try #require(delegated.status == 0, "signet delegation add \(role): \(delegated.stderr)")
        }
        let publishedBob = try signet(["publish", gun], trustDir: admin.trustDir, environment: ["SIGNET_TARGETS_PASSPHRASE": "dct-admin-pass"])
        try #require(publishedBob.status == 0, "signet publish of bob's delegation: \(publishedBob.stderr)")
        try inspect("2 with signers alice (docker) and bob (signet)")

        // 6. Trusted pulls, the local tags removed first: the digest docker pulls is signet verify's.
        func removeLocal(_ tags: [String]) throws {
            try admin.succeed(["rmi"] + tags.map { "\(gun):\($0)" })
        }
        try removeLocal(["1.0", "2.0", "4.0", "unsigned"])
        for (tag, digest, image) in [("1.0", digest1, "one"), ("2.0", digest2, "two"), ("4.0", digest4.digest, "four")] {
            let pulled = try admin.succeed(["pull", "\(gun):\(tag)"], trust: true)
            #expect((pulled.stdout + pulled.stderr).contains("Tagging \(gun)@\(digest) as \(gun):\(tag)"), "\(pulled.stdout) \(pulled.stderr)")
            #expect(try verifiedDigest(tag) == digest, "signet verify \(gun):\(tag)")
            let id = try admin.succeed(["image", "inspect", "--format", "{{.Id}}", "\(gun):\(tag)"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(id == images[image], "\(tag) pulled as \(id)")
        }

        // 7. Refused: the unsigned tag, and a tag its signer revoked.
        let unsigned = try admin.run(["pull", "\(gun):unsigned"], trust: true)
        #expect(unsigned.status != 0 && unsigned.stderr.contains("No valid trust data for unsigned"), "\(unsigned.status) \(unsigned.stderr)")
        let revoked = try alice.succeed(["trust", "revoke", "-y", "\(gun):2.0"])
        #expect(revoked.stdout.contains("Successfully deleted signature for \(gun):2.0"), "\(revoked.stdout)")
        try removeLocal(["2.0"])
        let refused = try admin.run(["pull", "\(gun):2.0"], trust: true)
        #expect(refused.status != 0 && refused.stderr.contains("No valid trust data for 2.0"), "\(refused.status) \(refused.stderr)")
        #expect(try verifiedDigest("2.0") == nil, "signet verify still trusts the revoked 2.0")
        try inspect("3 after revoking 2.0")

        // 8. The signers removed; removing the last one uploads targets with "keyids": null.
        let removedBob = try admin.succeed(["trust", "signer", "remove", "bob", gun])
        #expect(removedBob.stdout.contains("Successfully removed bob from \(gun)"), "\(removedBob.stdout)")
        let removedAlice = try admin.succeed(["trust", "signer", "remove", "--force", "alice", gun])
        #expect(removedAlice.stdout.contains("Successfully removed alice from \(gun)"), "\(removedAlice.stdout)")
        let stored = try CLI.run("/usr/bin/curl", ["-sf", "--cacert", ca, "\(serverURL)/v2/\(gun)/_trust/tuf/targets.json"])
        #expect(stored.stdout.contains(#""keyids":null"#), "\(stored.stdout)")
        try removeLocal(["1.0", "4.0"])
        let afterRemoval = try admin.succeed(["pull", "\(gun):1.0"], trust: true)
        #expect((afterRemoval.stdout + afterRemoval.stderr).contains("Tagging \(gun)@\(digest1) as \(gun):1.0"), "\(afterRemoval.stdout) \(afterRemoval.stderr)")
        #expect(try verifiedDigest("1.0") == digest1)
        let keyless = try admin.run(["pull", "\(gun):4.0"], trust: true)
        #expect(keyless.status != 0 && keyless.stderr.contains("No valid trust data for 4.0"), "\(keyless.status) \(keyless.stderr)")
        try inspect("4 after removing the last signer")
        try removeLocal(["1.0"])

        // What a Signet-made signer looks like, on either server.
        let final = try #require(answers["2 with signers alice (docker) and bob (signet) --json"] as? [[String: Any]])
        let signers = (final.first?["Signers"] as? [[String: Any]])?.compactMap { $0["Name"] as? String }
        #expect(signers == ["alice", "bob"], "\(final)")
        let tags = (final.first?["SignedTags"] as? [[String: Any]])?.map { "\($0["SignedTag"] ?? "") \(($0["Signers"] as? [String]) ?? [])" }
        #expect(tags == [#"1.0 ["Repo Admin"]"#, #"2.0 ["alice"]"#, #"4.0 ["alice"]"#], "\(final)")
        return answers
    }

    /// Every 64-hex key ID under an `ID` key.
    static func collectKeyIDs(_ value: Any, into ids: inout Set<String>) {
        if let object = value as? [String: Any] {
            for (key, child) in object {
                if key == "ID", let id = child as? String { ids.insert(id) } else { collectKeyIDs(child, into: &ids) }
            }
        } else if let array = value as? [Any] {
            for child in array { collectKeyIDs(child, into: &ids) }
        }
    }

    /// `value` with every `ID` as `<key>` and the GUN as `<gun>`, and arrays in one order (docker
    /// lists signers in map order): by `Name`, `SignedTag`, or as text.
    static func normalise(_ value: Any, gun: String) -> Any {
        if let object = value as? [String: Any] {
            return Dictionary(uniqueKeysWithValues: object.map { key, child in (key, key == "ID" ? "<key>" : normalise(child, gun: gun)) })
        }
        if let array = value as? [Any] {
            func order(_ element: Any) -> String {
                if let object = element as? [String: Any] { return "\(object["Name"] ?? object["SignedTag"] ?? "")" }
                return "\(element)"
            }
            return array.map { normalise($0, gun: gun) }.sorted { order($0) < order($1) }
        }
        if let text = value as? String { return text.replacingOccurrences(of: gun, with: "<gun>") }
        return value
    }

    /// Where `a` and `b` differ, one line per field (`path: a ≠ b`).
    static func differences(_ a: Any?, _ b: Any?, path: String) -> [String] {
        switch (a, b) {
        case let (a as [String: Any], b as [String: Any]):
            return Set(a.keys).union(b.keys).sorted().flatMap { differences(a[$0], b[$0], path: "\(path).\($0)") }
        case let (a as [Any], b as [Any]):
            guard a.count == b.count else { return ["\(path): \(a.count) entries ≠ \(b.count): \(a) ≠ \(b)"] }
            return zip(a, b).enumerated().flatMap { differences($1.0, $1.1, path: "\(path)[\($0)]") }
        case let (a as String, b as String):
            return a == b ? [] : ["\(path):\n--- notary-server\n\(a)\n--- signet serve\n\(b)"]
        default:
            return "\(a ?? "nil")" == "\(b ?? "nil")" ? [] : ["\(path): \(a ?? "nil") ≠ \(b ?? "nil")"]
        }
    }
}
