import Foundation
import Testing

@Suite struct VerifyCommandTests {
    static let alpineDir = SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine").path
    static let digest = "sha256:7043076348bf5040220df6ad703798fd8593a0918d06d3ce30c6c93be117e430"
    static let at = ["--at", "2018-07-25T00:00:00Z"]

    func verify(_ image: String, dir: String = alpineDir, _ extra: [String] = at) throws -> CLI.Result {
        try SignetBinary.run(["verify", image, "--metadata-dir", dir] + extra)
    }

    @Test func alpineTagVerifies() throws {
        let result = try verify("docker.io/library/alpine:3.8")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == Self.digest + "\n")
    }

    @Test func digestFormsVerify() throws {
        #expect(try verify("docker.io/library/alpine@\(Self.digest)").stdout == Self.digest + "\n")
        #expect(try verify("docker.io/library/alpine:3.8@\(Self.digest)").status == 0)
        let other = try verify("docker.io/library/alpine:3.8@sha256:" + String(repeating: "ab", count: 32))
        #expect(other.status == 1)
        #expect(other.stderr.contains("not sha256:abab"))
    }

    @Test func expiredTimestampIsNamedWithoutAt() throws {
        let result = try verify("docker.io/library/alpine:3.8", [])
        #expect(result.status == 1)
        #expect(result.stderr.contains("timestamp expired at 2018-08-03T15:48:41.776179945Z"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func jsonOutputForCI() throws {
        let ok = try verify("docker.io/library/alpine:3.8", Self.at + ["--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as? [String: Any])
        #expect(object["digest"] as? String == Self.digest)
        #expect(object["trusted"] as? Bool == true)
        let bad = try verify("docker.io/library/alpine:nope", Self.at + ["--json"])
        #expect(bad.status == 1)
        let refusal = try #require(try JSONSerialization.jsonObject(with: Data(bad.stdout.utf8)) as? [String: Any])
        #expect(refusal["trusted"] as? Bool == false)
        #expect((refusal["error"] as? String)?.contains("the tag is not signed in any trusted role") == true, "\(refusal)")
    }

    @Test func changedBytesAreRefusedNamingTheRole() throws {
        for (name, role) in [("root.json", "root"), ("timestamp.json", "timestamp"), ("snapshot.json", "snapshot"), ("targets.json", "targets")] {
            let original = try Data(contentsOf: SignetBinary.fixtures.appendingPathComponent("dockerhub-alpine/\(name)"))
            for position in stride(from: 0, to: original.count, by: original.count / 7) {
                let dir = try SignetBinary.copyFixture("dockerhub-alpine")
                defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
                var bytes = [UInt8](original)
                bytes[position] ^= 0x01
                try Data(bytes).write(to: dir.appendingPathComponent(name))
                let result = try verify("docker.io/library/alpine:3.8", dir: dir.path)
                #expect(result.status == 1, "\(name)@\(position): \(result.stderr)")
                #expect(result.stderr.contains(role), "\(name)@\(position): \(result.stderr)")
                #expect(result.stderr.split(separator: "\n").count == 1)
            }
        }
    }

    @Test func badInputGetsOneLineReason() throws {
        let cases: [(String, [UInt8]?, reason: String)] = [
            ("timestamp.json", Array("not json".utf8), "timestamp metadata is not valid JSON: invalid literal at byte 0"),
            ("snapshot.json", Array(#"{"signed":{"_type":"Snapshot""#.utf8), "snapshot is 29 bytes but timestamp lists length 686"),
            ("timestamp.json", [UInt8](repeating: 0x5B, count: 100 * 1024 * 1024), "timestamp.json is larger than the limit of 1048576 bytes"),
            ("targets.json", Array(#"{"signed":{"_type":"Targets","version":"one"},"signatures":[]}"#.utf8), "targets is 62 bytes but snapshot lists length 1508"),
            ("root.json", nil, "no trust data for docker.io/library/alpine: root.json not found"),
            ("root.json", Array(try String(contentsOfFile: Self.alpineDir + "/root.json", encoding: .utf8).replacingOccurrences(of: "ecdsa-x509", with: "dsa-x509").utf8),
             #"has unsupported key type "dsa-x509""#),
        ]
        for (name, content, reason) in cases {
            let dir = try SignetBinary.copyFixture("dockerhub-alpine")
            defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
            let url = dir.appendingPathComponent(name)
            if let content { try Data(content).write(to: url) } else { try FileManager.default.removeItem(at: url) }
            let result = try verify("docker.io/library/alpine:3.8", dir: dir.path)
            #expect(result.status == 1 || result.status == 2, "\(name): \(result.status) \(result.stderr)")
            #expect(result.stderr.hasPrefix("signet: "), "\(name): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(reason), "\(name): \(result.stderr)")
        }
    }

    @Test func badImageReferenceIsUsage() throws {
        for (image, reason) in [
            ("docker.io/library/alpine", #"image "docker.io/library/alpine" needs a tag or a digest"#),
            ("docker.io/library/alpine@sha256:1234", #"digest "sha256:1234" must be sha256: followed by 64 hex digits"#),
            ("../etc:1", #"image "../etc:1": GUN "../etc" has an empty, '.' or '..' path segment"#),
        ] {
            let result = try verify(image)
            #expect(result.status == 2, "\(image)")
            #expect(result.stderr.contains(reason), "\(image): \(result.stderr)")
        }
    }

    @Test func pinnedRootKeyID() throws {
        let wrong = try verify("docker.io/library/alpine:3.8", Self.at + ["--root-keyid", String(repeating: "0", count: 64)])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("does not match the pinned"), "\(wrong.stderr)")
        let right = try verify("docker.io/library/alpine:3.8", Self.at + ["--root-keyid", "a2489bcac7a79aa67b19b96c4a3bf0c675ffdf00c6d2fabe1a5df1115e80adce"])
        #expect(right.status == 0, "\(right.stderr)")
    }

    @Test func sampleRepoListsLicense() throws {
        let dir = SignetBinary.fixtures.appendingPathComponent("notary-0.1-samplerepo/tuf/docker.com/notary0.1/samplerepo/metadata").path
        let result = try SignetBinary.run(["list", "docker.com/notary0.1/samplerepo", "--metadata-dir", dir])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("LICENSE"))
        #expect(result.stdout.contains("sha256:9395bac6fccb26bcb55efb083d1b4b0fe72a1c25f959f056c016120b3bb56a62"))
        #expect(result.stdout.contains("11309"))
        let lookup = try SignetBinary.run(["lookup", "docker.com/notary0.1/samplerepo", "LICENSE", "--metadata-dir", dir])
        #expect(lookup.stdout == "LICENSE sha256:9395bac6fccb26bcb55efb083d1b4b0fe72a1c25f959f056c016120b3bb56a62 11309\n")
    }

    @Test func payloadMustMatch() throws {
        let dir = SignetBinary.fixtures.appendingPathComponent("notary-0.7/metadata/example.com_library_app/02-targets").path
        let hello = SignetBinary.fixtures.appendingPathComponent("notary-0.7/inputs/hello.txt").path
        let notHello = SignetBinary.fixtures.appendingPathComponent("notary-0.7/inputs/not-hello.txt").path
        let at = ["--at", "2026-11-30T00:00:00Z"]
        let good = try SignetBinary.run(["verify", "example.com/library/app:hello", "--metadata-dir", dir, "--payload", hello] + at)
        #expect(good.status == 0, "\(good.stderr)")
        let bad = try SignetBinary.run(["verify", "example.com/library/app:hello", "--metadata-dir", dir, "--payload", notHello] + at)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("payload"))
    }
}
