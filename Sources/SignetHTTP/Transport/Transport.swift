import Glibc
import SignetCrypto

/// A connected byte stream: a plain TCP socket or a TLS session on one.
///
/// Used from one thread at a time (the connection's thread). Reads and writes block, bounded by the
/// socket's `SO_RCVTIMEO`/`SO_SNDTIMEO`.
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

/// A plain TCP socket.
final class PlainTransport: Transport {
    let fd: Int32

    init(fd: Int32) { self.fd = fd }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n >= 0 { return n }
            let code = errno
            switch code {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw HTTPError(.timeout, "read timed out")
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
            case EAGAIN, EWOULDBLOCK: throw HTTPError(.timeout, "write timed out")
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

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        do { return try connection.read(into: buffer) } catch { throw HTTPError(.tls, "TLS read failed: \(error)") }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        do { try connection.write(bytes) } catch { throw HTTPError(.tls, "TLS write failed: \(error)") }
    }

    func close() {
        connection.shutdown()
        _ = Glibc.close(fd)
    }
}
