import Foundation
import Glibc
import Synchronization

/// A CNCF distribution registry (`docker-registry serve`, Debian package docker-registry) on a
/// free 127.0.0.1 port with filesystem storage in a fresh temporary directory, plain HTTP (Docker
/// treats 127.0.0.0/8 registries as insecure, so `docker push` takes it as it is).
///
/// `shared()` is one open registry for the whole test process, started on first use and stopped
/// at exit; `init(auth:)` starts another (with token authentication, say) that the caller stops.
public final class DockerRegistry: Sendable {
    public static let executable = "/usr/bin/docker-registry"

    /// How the registry authenticates (its `auth:` section).
    public enum Auth: Sendable {
        /// The distribution spec's token authentication: a bearer token from `realm`, a JWT signed
        /// by a key whose certificate is in `rootCertBundle` (a PEM file), for `service`, from `issuer`.
        case token(realm: String, service: String, issuer: String, rootCertBundle: String)
    }

    public let port: Int
    public let directory: String
    private let process: ChildProcess

    /// `127.0.0.1:PORT`: the registry part of image names pushed here.
    public var hostPort: String { "127.0.0.1:\(port)" }
    /// `http://127.0.0.1:PORT`.
    public var url: String { "http://\(hostPort)" }

    private static let instance = ProcessWide<DockerRegistry>(what: "docker-registry") { try DockerRegistry() }

    /// The process's open registry, started on the first call.
    public static func shared() throws -> DockerRegistry { try instance.get() }

    static func stopShared() { instance.ifStarted { $0.stop() } }

    /// Starts a registry (under a second), retrying on another port if the picked one was taken.
    /// - Throws: `TestSupportFailure` naming the Debian package when it is missing, or with the
    ///   end of the registry's log when it does not start.
    public init(auth: Auth? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw TestSupportFailure(RequiredTool.missingMessage(Self.executable))
        }
        var template = Array("/tmp/signet-registry-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSupportFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        directory = String(cString: made)
        var authSection = ""
        if case .token(let realm, let service, let issuer, let bundle) = auth {
            authSection = """
            auth:
              token:
                realm: "\(realm)"
                service: "\(service)"
                issuer: "\(issuer)"
                rootcertbundle: "\(bundle)"

            """
        }
        var lastFailure = ""
        for attempt in 1...3 {
            let port = try FreePort.pick()
            let config = directory + "/config-\(attempt).yml"
            try Data("""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: "\(directory)/storage"
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:\(port)
            \(authSection)
            """.utf8).write(to: URL(fileURLWithPath: config))
            let process = try ChildProcess(Self.executable, ["serve", config], logPath: directory + "/registry.log")
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline, !FreePort.isListening(port) { usleep(50_000) }
            if process.isRunning, FreePort.isListening(port) {
                self.port = port
                self.process = process
                return
            }
            lastFailure = process.logTail()
            process.stop()
        }
        try? FileManager.default.removeItem(atPath: directory)
        throw TestSupportFailure("docker-registry did not start; the end of its log:\n\(lastFailure)")
    }

    /// Stops the registry (by its PID) and removes its storage.
    public func stop() {
        process.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
