import FoundationEssentials
import Glibc
import SignetSupport

/// Starts the agent process for `signet agent start` (docs/signing-agent.md): this executable
/// (`/proc/self/exe`) as `signet agent run`, by `posix_spawn` (no `fork` in a Swift process),
/// with a pipe on its standard input that carries the unlocked keys (`AgentHandOver`), a pipe on
/// its standard output on which it says `ready` once it listens (or `error <ClientError code> <message>`), and `/dev/null`
/// for standard error. No key touches the disk, and the child is not given the passphrase
/// variables. The child makes itself a session leader, so the terminal's signals do not reach it.
package enum AgentLauncher {
    /// The longest line the child may answer with, in bytes.
    static let maxAnswerBytes = 4096

    /// Sets `FD_CLOEXEC` on every open descriptor above standard error (from `/proc/self/fd`).
    static func markDescriptorsCloseOnExec() {
        guard let directory = opendir("/proc/self/fd") else { return }
        defer { closedir(directory) }
        let own = dirfd(directory)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd > 2, fd != own else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Starts the agent and waits until it listens.
    /// - Parameters:
    ///   - arguments: the child's arguments after the executable (`agent run …`).
    ///   - handOver: the `AgentHandOver` bytes; overwritten with zeros once written.
    /// - Returns: the child's process ID.
    /// - Throws: `ClientError(.io)` when the process cannot be started or ends without saying it
    ///   listens; the child's own `error CODE MESSAGE` line as that `ClientError`.
    package static func start(arguments: [String], handOver: inout [UInt8]) throws -> pid_t {
        defer { AgentHandOver.zero(&handOver) }
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1]
        guard pipe(&input) == 0 else { throw ClientError(.io, "cannot make a pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&output) == 0 else {
            close(input[0]); close(input[1])
            throw ClientError(.io, "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        // Only the dup2'd ends reach the child: every other descriptor of this process is marked
        // close-on-exec first. An inherited one would outlive this process in the agent, and a
        // caller waiting for it to close (Foundation's Process watches a socket pair) would wait
        // for the agent's whole lifetime.
        markDescriptorsCloseOnExec()
        defer { if input[1] >= 0 { close(input[1]) }; close(output[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let executable = "/proc/self/exe"
        let argv: [UnsafeMutablePointer<CChar>?] = (["signet"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasSuffix("_PASSPHRASE") }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(input[0]); close(output[1])
        guard rc == 0 else { throw ClientError(.io, "cannot start the signing agent: \(String(cString: strerror(rc)))") }
        signal(SIGPIPE, SIG_IGN)
        SystemFile.writeAll(handOver, to: input[1])
        close(input[1]); input[1] = -1
        var answer: [UInt8] = []
        var byte: UInt8 = 0
        while answer.count < maxAnswerBytes {
            let n = read(output[0], &byte, 1)
            if n < 0 && errno == EINTR { continue }
            guard n == 1, byte != UInt8(ascii: "\n") else { break }
            answer.append(byte)
        }
        let text = String(decoding: answer, as: UTF8.self)
        if text == "ready" { return pid }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        if text.hasPrefix("error ") {
            let rest = text.dropFirst(6)
            let code = rest.split(separator: " ", maxSplits: 1).first.flatMap { ClientError.Code(rawValue: String($0)) } ?? .io
            throw ClientError(code, String(rest.drop { $0 != " " }.dropFirst()))
        }
        throw ClientError(.io, "the signing agent ended before it listened (wait status \(status))")
    }
}
