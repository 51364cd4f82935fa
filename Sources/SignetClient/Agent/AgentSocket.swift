import FoundationEssentials
import Glibc
import SignetSupport

/// The signing agent's Unix socket and the checks around it (docs/signing-agent.md):
/// `<trust dir>/private/agent.sock`, mode 0600, in a `private/` directory of mode 0700 owned by
/// this user; every connection's peer is checked with `SO_PEERCRED` (same uid, both ways).
package enum AgentSocket {
    /// The socket's file name inside the trust dir's `private/`.
    package static let fileName = "agent.sock"
    /// The agent's log (refused connections, start and stop; never secrets), beside the socket.
    package static let logFileName = "agent.log"
    /// How long one read on a connection may wait, in seconds, before the connection is dropped.
    package static let readTimeoutSeconds = 30

    /// `<trust dir>/private/agent.sock`.
    package static func path(in directory: TrustDirectory) -> String {
        directory.privateDirectory.appendingPathComponent(fileName).path
    }

    /// Refuses a `private/` directory another user could reach: it must exist, be a directory
    /// owned by this process's uid and have no group or other permission bits.
    /// - Throws: `ClientError(.usage)` naming the directory, its mode or owner, and the fix.
    package static func checkDirectory(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw ClientError(.usage, "\(path) does not exist: the trust dir holds no keys for an agent (create or import keys first)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw ClientError(.usage, "\(path) is not a directory") }
        guard info.st_uid == getuid() else {
            throw ClientError(.usage, "\(path) is owned by uid \(info.st_uid), not by this user (uid \(getuid())): the signing agent's socket may not live there")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw ClientError(.usage, "\(path) is mode \(String(mode, radix: 8)); the signing agent needs it 0700 (run `chmod 700 \(path)`)")
        }
    }

    static func address(_ path: String) throws -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.contains(0), bytes.count < capacity else {
            throw ClientError(.usage, "the signing agent's socket path \(path) is \(bytes.count) bytes; Unix sockets allow at most \(capacity - 1): use a shorter trust dir path")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    static func newSocket() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(.io, "cannot create a Unix socket: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Connects to the socket at `path`.
    /// - Returns: the connected descriptor; nil when there is no socket file or nothing listens on
    ///   it (a stale socket left by an agent that was killed).
    /// - Throws: `ClientError(.io)` for any other failure (permission, not a socket).
    package static func connect(_ path: String) throws -> Int32? {
        var address = try address(path)
        let fd = try newSocket()
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc == 0 { return fd }
        let code = errno
        close(fd)
        if code == ENOENT || code == ECONNREFUSED { return nil }
        throw ClientError(.io, "cannot connect to the signing agent at \(path): \(String(cString: strerror(code)))")
    }

    /// Binds and listens on `path` with mode 0600 (set through the umask at bind, so the socket
    /// is never reachable with wider permissions). A stale socket file (nothing listening) is
    /// removed first; a live one is refused.
    /// - Throws: `ClientError(.usage)` when an agent already serves `path` or `path` is not a
    ///   socket; `ClientError(.io)` when binding fails.
    package static func listen(_ path: String) throws -> Int32 {
        try removeStale(path)
        var address = try address(path)
        let fd = try newSocket()
        let previous = umask(0o177)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let code = errno
        umask(previous)
        guard rc == 0 else {
            close(fd)
            throw ClientError(.io, "cannot bind the signing agent's socket \(path): \(String(cString: strerror(code)))")
        }
        guard Glibc.listen(fd, 64) == 0 else {
            let code = errno
            close(fd)
            unlink(path)
            throw ClientError(.io, "cannot listen on \(path): \(String(cString: strerror(code)))")
        }
        return fd
    }

    /// Refuses when an agent answers at `path`; removes a socket file nothing listens on.
    /// - Throws: `ClientError(.usage)` for a live agent or a `path` that is not a socket.
    package static func removeStale(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw ClientError(.usage, "\(path) exists and is not a socket; remove it before starting the signing agent")
        }
        if let fd = try connect(path) {
            close(fd)
            throw ClientError(.usage, "a signing agent already serves \(path): stop it first with `signet agent stop`")
        }
        guard unlink(path) == 0 || errno == ENOENT else {
            throw ClientError(.io, "cannot remove the stale socket \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The peer of a connected Unix socket (`SO_PEERCRED`): process ID and uid; nil when the
    /// kernel does not say.
    package static func peer(_ fd: Int32) -> (pid: Int32, uid: UInt32)? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        var credentials: (Int32, UInt32, UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout.size(ofValue: credentials))
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              Int(length) == MemoryLayout.size(ofValue: credentials) else { return nil }
        return (credentials.0, credentials.1)
    }

    /// Sets how long a read may block (`SO_RCVTIMEO`), in seconds.
    package static func setReadTimeout(_ fd: Int32, seconds: Int) {
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads exactly `count` bytes; nil at end of input before the first byte.
    /// - Throws: `ClientError(.io)` on a read error, a timeout, or end of input inside the bytes.
    package static func read(_ fd: Int32, count: Int) throws -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, count - done) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw ClientError(.io, "read failed: \(String(cString: strerror(errno)))") }
            if n == 0 {
                if done == 0 { return nil }
                throw ClientError(.io, "the connection ended after \(done) of \(count) bytes")
            }
            done += n
        }
        return bytes
    }

    /// Reads one frame (`AgentProtocol`), at most `maxLength` bytes of payload.
    /// - Returns: the payload; nil at a clean end of input.
    /// - Throws: `AgentFrameTooLarge` for a longer frame (its payload left unread);
    ///   `ClientError(.io)` as `read(_:count:)`.
    package static func readFrame(_ fd: Int32, maxLength: Int) throws -> [UInt8]? {
        guard let prefix = try read(fd, count: 4) else { return nil }
        let length = AgentProtocol.length(prefix)
        guard length <= maxLength else { throw AgentFrameTooLarge(length: length, limit: maxLength) }
        if length == 0 { return [] }
        return try read(fd, count: length)
    }

    /// Writes all of `bytes`.
    /// - Throws: `ClientError(.io)` when the write fails (the peer went away).
    package static func write(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ClientError(.io, "write failed: \(String(cString: strerror(errno)))") }
            done += n
        }
    }
}

/// A frame longer than the reader's limit.
package struct AgentFrameTooLarge: Error {
    package var length: Int
    package var limit: Int
}
