import Foundation
@testable import SignetServer
import Testing

/// A throwaway PostgreSQL cluster for tests: `initdb` into a fresh temporary directory, `pg_ctl
/// start` listening only on a Unix socket in that directory (no TCP port), password
/// (SCRAM-SHA-256) authentication for user `signet`. PostgreSQL refuses to run as root, so when the
/// tests run as root the server's commands run as `nobody` (`runuser`), which owns the directory.
///
/// Tests reach the cluster through `PostgresCluster.current`, set by the `.postgresCluster` suite
/// trait: one cluster per suite, started before its first test and stopped after its last.
final class PostgresCluster: @unchecked Sendable {
    // @unchecked Sendable: `databases` is guarded by `lock`; everything else is immutable.
    /// Debian `postgresql` installs its server binaries here (the newest major version is used).
    static let binaries: String? = {
        let base = "/usr/lib/postgresql"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        let versions = entries.compactMap { Int($0) }.sorted()
        guard let newest = versions.last else { return nil }
        let directory = "\(base)/\(newest)/bin"
        return FileManager.default.isExecutableFile(atPath: directory + "/initdb") ? directory : nil
    }()

    @TaskLocal static var current: PostgresCluster?

    let directory: String
    let binaries: String
    let password = "pw-" + UUID().uuidString
    private let lock = NSLock()
    private var databases = 0
    var dataDirectory: String { directory + "/data" }
    var logPath: String { directory + "/server.log" }

    /// Creates and starts the cluster (initdb and start take a few seconds).
    /// - Throws: `TestFailure` naming the Debian package when PostgreSQL is not installed, or the
    ///   failing command and its output.
    init() throws {
        guard let binaries = Self.binaries else {
            throw TestFailure("PostgreSQL's server binaries are missing under /usr/lib/postgresql; install the Debian package postgresql")
        }
        self.binaries = binaries
        directory = NSTemporaryDirectory() + "signet-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.giveToServerUser(directory)
        let passwordFile = directory + "/pwfile"
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
        try Self.giveToServerUser(passwordFile)
        try server("initdb", ["-D", dataDirectory, "-U", "signet", "--pwfile", passwordFile, "--auth", "scram-sha-256",
                              "-E", "UTF8", "--locale", "C", "--no-sync"])
        try FileManager.default.removeItem(atPath: passwordFile)
        try start()
    }

    /// `pg_ctl start`, waiting until the server accepts connections.
    func start() throws {
        try server("pg_ctl", ["-D", dataDirectory, "-l", logPath, "-w", "-t", "60",
                              "-o", "-k \(directory) -c listen_addresses= -c fsync=off", "start"])
    }

    /// `pg_ctl stop -m fast`: disconnects every client, then shuts down.
    func stop() throws {
        try server("pg_ctl", ["-D", dataDirectory, "-w", "-t", "60", "-m", "fast", "stop"])
    }

    /// Stops the cluster and removes its directory.
    func destroy() {
        try? stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A libpq URI for `database` over the cluster's socket (the password is passed apart).
    func url(database: String) -> String {
        "postgresql:///\(database)?host=\(directory)&user=signet"
    }

    /// A new, empty database in the cluster, for one test.
    func makeDatabase() throws -> PostgresConnectionParameters {
        let name: String = lock.withLock {
            databases += 1
            return "test_\(databases)"
        }
        let admin = try PostgresConnection(PostgresConnectionParameters(url: url(database: "postgres"), password: password))
        try admin.run("CREATE DATABASE \(name)")
        return PostgresConnectionParameters(url: url(database: name), password: password)
    }

    /// As root, makes `path` belong to `nobody`, the user the server runs as.
    private static func giveToServerUser(_ path: String) throws {
        guard getuid() == 0 else { return }
        guard let user = getpwnam("nobody") else { throw TestFailure("there is no user nobody to run PostgreSQL as") }
        guard chown(path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else { throw TestFailure("chown \(path) failed: errno \(errno)") }
    }

    /// Runs one of PostgreSQL's server programs, as `nobody` when the tests run as root.
    private func server(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try Self.runChecked("/sbin/runuser", ["-u", "nobody", "--", "\(binaries)/\(program)"] + arguments)
        } else {
            try Self.runChecked("\(binaries)/\(program)", arguments)
        }
    }

    /// Runs `executable` and waits for it, output to a file. Not `Foundation.Process`: it notices
    /// an exit only when every holder of its internal socket has closed it, and `pg_ctl start`
    /// leaves the server running with that socket inherited, so it would wait until the server stops.
    private static func runChecked(_ executable: String, _ arguments: [String]) throws {
        let outputPath = NSTemporaryDirectory() + "signet-pg-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw TestFailure("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TestFailure("waitpid for \(executable) failed: errno \(errno)") }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED and WEXITSTATUS are macros: exited normally when the low 7 bits are 0.
        guard status & 0x7F == 0, (status >> 8) & 0xFF == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) failed (wait status \(status)): \(text)")
        }
    }
}

/// The suite trait that gives a suite one `PostgresCluster` for all of its tests
/// (`@Suite(.postgresCluster)`), stopped and removed when the suite ends.
struct PostgresClusterTrait: SuiteTrait, TestScoping {
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let cluster: PostgresCluster
        do { cluster = try PostgresCluster() } catch {
            Issue.record("\(error)")
            try await function()
            return
        }
        defer { cluster.destroy() }
        try await PostgresCluster.$current.withValue(cluster) { try await function() }
    }
}

extension Trait where Self == PostgresClusterTrait {
    static var postgresCluster: PostgresClusterTrait { PostgresClusterTrait() }
}
