import Foundation
import Glibc

/// A long-running tool (a daemon) started with `posix_spawn`, its standard output and error in a
/// log file, standard input `/dev/null`, and stopped by its PID: SIGTERM, then SIGKILL after a
/// grace period. `posix_spawn` rather than `Foundation.Process`, whose inherited pipes keep a
/// reader waiting for as long as any grandchild (containerd under dockerd) holds them.
public final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `exitStatus` is touched only while holding `lock`; the rest is immutable.
    public let pid: pid_t
    public let executable: String
    /// Where its standard output and error go.
    public let logPath: String
    private let lock = NSLock()
    private var exitStatus: Int32?

    /// - Throws: `TestSupportFailure` when the executable is missing (naming its Debian package)
    ///   or `posix_spawn` fails.
    public init(_ executable: String, _ arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSupportFailure(RequiredTool.missingMessage(executable))
        }
        self.executable = executable
        self.logPath = logPath
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { env?.forEach { free($0) } }
        var pid: pid_t = 0
        let result = env.map { posix_spawn(&pid, executable, &actions, nil, argv, $0) } ?? posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard result == 0 else { throw TestSupportFailure("cannot start \(executable): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    /// True while the process has not exited (reaps it when it has).
    public var isRunning: Bool {
        lock.withLock {
            if exitStatus != nil { return false }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || (reaped < 0 && errno == ECHILD) { exitStatus = status; return false }
            return true
        }
    }

    /// The last `bytes` of its log, for a failure message.
    public func logTail(_ bytes: Int = 2000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "(no log at \(logPath))" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// SIGTERM, wait up to `grace` seconds, then SIGKILL and wait. Safe to call more than once.
    public func stop(grace: Double = 20) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while isRunning, Date() < deadline { usleep(50_000) }
        guard isRunning else { return }
        kill(pid, SIGKILL)
        while isRunning { usleep(20_000) }
    }

    /// Stops the process with PID `pid` that is not this process's child (a daemon's own child):
    /// SIGTERM, up to `grace` seconds, then SIGKILL.
    public static func stop(foreign pid: pid_t, grace: Double = 10) {
        guard pid > 1, kill(pid, 0) == 0 else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while kill(pid, 0) == 0, Date() < deadline { usleep(50_000) }
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }

    /// Unmounts every mount point at or under `directory` (deepest first, `umount --lazy` from the
    /// Debian package mount), as read from /proc/self/mountinfo: what a daemon leaves mounted.
    public static func unmountAll(under directory: String) {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            let point = String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
            return point == directory || point.hasPrefix(directory + "/") ? point : nil
        }
        for point in points.sorted(by: { $0.count > $1.count }) {
            let umount = Process()
            umount.executableURL = URL(fileURLWithPath: "/bin/umount")
            umount.arguments = ["--lazy", point]
            umount.standardOutput = FileHandle.nullDevice
            umount.standardError = FileHandle.nullDevice
            guard (try? umount.run()) != nil else { continue }
            umount.waitUntilExit()
        }
    }
}

/// A free TCP port on 127.0.0.1 (bound to port 0 and released; a tool started on it right after
/// gets it unless another process takes it in between, so launchers retry on a bind failure).
public enum FreePort {
    public static func pick() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TestSupportFailure("no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    public static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
