import Foundation
import SignetTestSupport
import Synchronization
import Testing

/// The real `docker` client (`DockerDaemon.client`, /usr/bin/docker) against the process's shared
/// daemon, with a private `DOCKER_CONFIG` (trust data in `<config>/trust`, the trust server's CA
/// in `<config>/tls/<host:port>/ca.crt`, as Docker reads them).
struct DockerCLI {
    let daemon: DockerDaemon
    /// `DOCKER_CONFIG`.
    let config: URL
    /// Added to every command's environment (trust server, passphrases).
    var environment: [String: String] = [:]

    /// A fresh config directory `name` under `work`; with `trustServer` (`https://host:port`) and
    /// `caFile`, the CA is put where Docker looks for that server's.
    init(daemon: DockerDaemon, work: URL, name: String, trustServer: String? = nil, caFile: String? = nil, environment: [String: String] = [:]) throws {
        self.daemon = daemon
        config = work.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: config, withIntermediateDirectories: true)
        self.environment = environment
        if let trustServer {
            self.environment["DOCKER_CONTENT_TRUST_SERVER"] = trustServer
            if let caFile, let hostPort = trustServer.split(separator: "/").last {
                let tls = config.appendingPathComponent("tls/\(hostPort)")
                try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: caFile, toPath: tls.appendingPathComponent("ca.crt").path)
            }
        }
    }

    /// The trust directory Docker keeps (a notary trust dir), for `signet -d`.
    var trustDir: String { config.appendingPathComponent("trust").path }

    /// Runs `docker ARGUMENTS` with `DOCKER_CONTENT_TRUST` set to `trust` (0 or 1).
    @discardableResult
    func run(_ arguments: [String], trust: Bool = false, environment extra: [String: String] = [:], stdin: String? = nil) throws -> CLI.Result {
        var env = ["DOCKER_HOST": daemon.host, "DOCKER_CONFIG": config.path, "DOCKER_CONTENT_TRUST": trust ? "1" : "0"]
        env.merge(environment) { $1 }
        env.merge(extra) { $1 }
        return try CLI.run(DockerDaemon.client, arguments, environment: env, stdin: stdin)
    }

    /// Runs `docker ARGUMENTS` and requires exit 0.
    @discardableResult
    func succeed(_ arguments: [String], trust: Bool = false, environment extra: [String: String] = [:], stdin: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        let result = try run(arguments, trust: trust, environment: extra, stdin: stdin)
        try #require(result.status == 0, "docker \(arguments.joined(separator: " ")) (DOCKER_CONTENT_TRUST=\(trust ? 1 : 0)) exited \(result.status): \(result.stdout) \(result.stderr)",
                     sourceLocation: sourceLocation)
        return result
    }

    /// The manifest digest `docker push` printed (`TAG: digest: sha256:HEX size: N`).
    static func pushedDigest(_ output: String) -> (digest: String, size: Int)? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains(": digest: sha256:") }) else { return nil }
        let words = line.split(separator: " ")
        guard let at = words.firstIndex(of: "digest:"), at + 3 < words.count, words[at + 2] == "size:", let size = Int(words[at + 3]) else { return nil }
        return (String(words[at + 1]), size)
    }
}

/// Tiny images made with `docker import` from one small file each, once per test process and
/// shared by every test (the vfs driver copies every layer, so they stay a few bytes). Each name's
/// image differs from the others; tests tag them into their own repositories.
enum DockerImages {
    private static let imported = Mutex<[String: String]>([:])

    /// The image ID (`sha256:…`) of the image named `name`, imported on first use.
    static func id(_ name: String, daemon: DockerDaemon) throws -> String {
        try imported.withLock { images in
            if let id = images[name] { return id }
            let work = try CLI.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: work) }
            let root = work.appendingPathComponent("root")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try Data("signet test image \(name)\n".utf8).write(to: root.appendingPathComponent("image.txt"))
            let tarball = work.appendingPathComponent("image.tar").path
            let tar = try CLI.run("/bin/tar", ["-C", root.path, "-cf", tarball, "."])
            try #require(tar.status == 0, "tar: \(tar.stderr)")
            let result = try CLI.run(DockerDaemon.client, ["-H", daemon.host, "import", tarball, "signet-test/\(name):latest"])
            try #require(result.status == 0, "docker import: \(result.stderr)")
            let id = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            images[name] = id
            return id
        }
    }
}
