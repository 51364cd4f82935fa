import Glibc
import SignetCrypto

/// A connected byte stream: a plain TCP socket or a TLS session on one.
///
/// The client's (and tests') blocking view of a connection, used from one thread at a time: on a
/// blocking socket reads and writes are bounded by `SO_RCVTIMEO`/`SO_SNDTIMEO`; on the client's
/// non-blocking socket every wait goes through the request's `RequestDeadline`. (The server's event
/// loop reads and writes its non-blocking sockets directly.)
protocol Transport: AnyObject {
    /// Reads up to `buffer.count` bytes; 0 means the peer closed. Throws `.timeout` when `SO_RCVTIMEO`
    /// expired, `.io`/`.tls` on other failures.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
    /// Writes every byte or throws (`.timeout` when `SO_SNDTIMEO` expired with no progress).
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Ends the session (TLS close_notify) and closes the descriptor. Call once.
    func close()
    /// The socket descriptor underneath.
    var fd: Int32 { get }
}

extension Transport {
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }
}

/// A plain TCP socket: blocking (tests), or non-blocking with a `deadline` that bounds every wait
/// (client).
final class PlainTransport: Transport {
    let fd: Int32
    let deadline: RequestDeadline?

    init(fd: Int32, deadline: RequestDeadline? = nil) {
        self.fd = fd
        self.deadline = deadline
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard let deadline else { throw HTTPError(.timeout, "read timed out") }
                try deadline.wait(fd, for: Int16(POLLIN))
            default: throw HTTPError(.io, "read failed: \(errnoDescription(code))")
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n > 0 { offset += n; continue }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                guard let deadline else { throw HTTPError(.timeout, "write timed out") }
                try deadline.wait(fd, for: Int16(POLLOUT))
            default: throw HTTPError(.io, "write failed: \(errnoDescription(code))")
            }
        }
    }

    func close() { _ = Glibc.close(fd) }
}

/// A TLS session (SignetCrypto's `TLSConnection`) over a TCP socket this transport owns.
///
/// Assumes `TLSConnection` does not close the descriptor itself: `close()` sends close_notify through
/// `TLSConnection.shutdown()` and then closes the fd.
final class TLSTransport: Transport {
    let fd: Int32
    let connection: TLSConnection

    init(fd: Int32, connection: TLSConnection) {
        self.fd = fd
        self.connection = connection
    }

    /// Errors from the connection's `SocketWait` (a passed deadline) are `HTTPError`s and pass unchanged.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do {
            return try connection.read(into: buffer)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.tls, "TLS read failed: \(error)")
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do {
            try connection.write(bytes)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.tls, "TLS write failed: \(error)")
        }
    }

    func close() {
        connection.shutdown()
        _ = Glibc.close(fd)
    }
}
