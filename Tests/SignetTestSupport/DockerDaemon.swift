import Foundation
import Glibc
import Synchronization

/// One `dockerd` (Debian package docker.io) for the whole test process, started on first use and
/// stopped when the process exits: its own data root, exec root, pidfile, config file (`{}`) and
/// Unix socket in a fresh temporary directory, the vfs storage driver, no iptables, no bridge
/// (nothing outside the sandbox is touched; images come from `docker import`, registries are on
/// 127.0.0.1). On SIGTERM dockerd stops its containerd too; whatever is still mounted under the
/// directory afterwards is unmounted, and the directory removed.
///
/// The client is `/usr/bin/docker` from the same package, named explicitly: a newer
/// `/usr/local/bin/docker` may come first on `PATH`.
///
/// If dockerd cannot start, `shared()` throws the reason with the tail of dockerd's log, every
/// time it is asked (the tests that need it fail; nothing is skipped).
public final class DockerDaemon: Sendable {
    /// The Docker client the tests run.
    public static let client = "/usr/bin/docker"
    public static let daemon = "/usr/sbin/dockerd"

    /// The temporary directory holding everything of this daemon.
    public let directory: String
    /// `unix:///…/docker.sock`, for `DOCKER_HOST` or `-H`.
    public let host: String
    /// `docker version`'s client and server versions, e.g. `20.10.24+dfsg1`.
    public let clientVersion: String
    public let serverVersion: String
    private let process: ChildProcess

    private static let instance = ProcessWide<DockerDaemon>(what: "dockerd") {
        let daemon = try DockerDaemon()
        print("DockerDaemon: docker client \(daemon.clientVersion) (\(client)), dockerd \(daemon.serverVersion), vfs, in \(daemon.directory)")
        return daemon
    }

    /// The process's daemon, started on the first call (a few seconds); the same failure for
    /// every call when it could not start.
    public static func shared() throws -> DockerDaemon { try instance.get() }

    /// Stops the shared daemon if one was started (at process exit).
    static func stopShared() { instance.ifStarted { $0.stop() } }

    private init() throws {
        for tool in [Self.daemon, Self.client] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSupportFailure(RequiredTool.missingMessage(tool))
        }
        // Short: the sockets under it must fit sockaddr_un's 108 bytes.
        var template = Array("/tmp/signet-dockerd-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestSupportFailure("mkdtemp: \(String(cString: strerror(errno)))") }
        directory = String(cString: made)
        host = "unix://\(directory)/docker.sock"
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: directory + "/daemon.json"))
        process = try ChildProcess(Self.daemon, [
            "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs",
            "--data-root", directory + "/data", "--exec-root", directory + "/exec", "--pidfile", directory + "/dockerd.pid",
            "-H", host, "--config-file", directory + "/daemon.json",
        ], logPath: directory + "/dockerd.log")
        let deadline = Date().addingTimeInterval(90)
        var versions: [String]?
        while Date() < deadline {
            guard process.isRunning else { break }
            if let output = Self.quietRun([Self.client, "-H", host, "version", "--format", "{{.Client.Version}} {{.Server.Version}}"]) {
                versions = output.split(separator: " ").map(String.init)
                break
            }
            usleep(200_000)
        }
        guard let versions, versions.count == 2 else {
            let reason = process.isRunning ? "did not answer on \(host) within 90 s" : "exited"
            let tail = process.logTail()
            Self.cleanUp(process: process, directory: directory)
            throw TestSupportFailure("dockerd \(reason); the end of its log:\n\(tail)")
        }
        clientVersion = versions[0]
        serverVersion = versions[1]
    }

    /// SIGTERM dockerd (and so its containerd), SIGKILL after 20 s, then containerd by its
    /// pidfile if it outlived dockerd; unmount what is left under the directory and remove it.
    public func stop() { Self.cleanUp(process: process, directory: directory) }

    private static func cleanUp(process: ChildProcess, directory: String) {
        let containerdPID = (try? String(contentsOfFile: directory + "/exec/containerd/containerd.pid", encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        process.stop()
        if let containerdPID { ChildProcess.stop(foreign: containerdPID) }
        ChildProcess.unmountAll(under: directory)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a short command and returns its standard output when it exits 0 (nil otherwise).
    static func quietRun(_ command: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// One value per test process (a daemon), made on first use; a failure to make it is kept and
/// thrown to every caller. Whatever is made is stopped at process exit (`SharedDaemons`).
final class ProcessWide<Value: Sendable>: Sendable {
    private let state = Mutex<Result<Value, TestSupportFailure>?>(nil)
    private let what: String
    private let make: @Sendable () throws -> Value

    init(what: String, make: @escaping @Sendable () throws -> Value) {
        self.what = what
        self.make = make
    }

    func get() throws -> Value {
        try state.withLock { state in
            if let state { return try state.get() }
            let made: Result<Value, TestSupportFailure>
            do { made = .success(try make()) } catch let error as TestSupportFailure {
                made = .failure(error)
            } catch {
                made = .failure(TestSupportFailure("\(what): \(error)"))
            }
            state = made
            if case .success = made { SharedDaemons.stopAtExit() }
            return try made.get()
        }
    }

    func ifStarted(_ body: (Value) -> Void) {
        state.withLock { state in
            if case .success(let value)? = state { body(value) }
        }
    }
}

/// Stops the process-wide daemons (`DockerDaemon`, `DockerRegistry`) when the test process exits.
enum SharedDaemons {
    private static let registered = Mutex(false)

    static func stopAtExit() {
        registered.withLock { registered in
            guard !registered else { return }
            registered = true
            atexit {
                DockerRegistry.stopShared()
                DockerDaemon.stopShared()
            }
        }
    }
}
