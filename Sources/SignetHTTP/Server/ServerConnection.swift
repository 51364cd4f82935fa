import Glibc
import SignetCrypto

/// One accepted connection, owned by the `ServerLoop` thread (no other thread touches it).
final class ServerConnection {
    /// Where the connection is. `readingHead` from a request's first byte until its head is complete,
    /// then `readingBody` (even for no body) until the handler gets it; from then on the request is in
    /// flight and never cut to make room.
    enum Phase { case handshake, idle, readingHead, readingBody, handling, writing, lingering }

    /// What happens once the queued output is written.
    enum AfterWrite { case keepAlive, close, linger }

    /// The access-log line written once a response is out.
    struct AccessRecord {
        var method: String
        var path: String
        var status: Int
        var bytes: Int
    }

    let token: UInt64
    let fd: Int32
    let remote: String
    var phase: Phase
    /// Monotonic time by which the current phase must end; nil while the handler runs.
    var deadline: Double?
    var parser: RequestParser
    /// The TLS session, from the first byte of the handshake on (nil on plain HTTP).
    var tls: TLSConnection?
    var handshakeDone = false
    /// What the last TLS call is waiting for, when it is the opposite of the phase's own direction
    /// (a read that needs the fd writable, a write that needs it readable).
    var tlsWants: TLSConnection.Step?
    /// Events registered with epoll now; 0 when not registered (while the handler runs).
    var interest: UInt32 = 0
    var output = OutputQueue()
    var afterWrite = AfterWrite.close
    var pendingLog: AccessRecord?
    /// Whether the request being handled keeps the connection open, and its version.
    var keepAlive = false
    var isHTTP10 = false
    var requestMethod = "-"
    var requestPath = "-"
    /// Monotonic time of the current request's first byte.
    var requestStarted: Double = 0
    /// Responses written on this connection.
    var requestsServed = 0
    /// Monotonic time since which the connection has been waiting for a request head: its accept,
    /// or the end of its last response.
    var waitingSince: Double
    /// Bytes read and dropped during a lingering close.
    var discarded = 0

    init(token: UInt64, fd: Int32, remote: String, phase: Phase, now: Double, parser: RequestParser) {
        self.token = token
        self.fd = fd
        self.remote = remote
        self.phase = phase
        self.parser = parser
        waitingSince = now
    }

    /// Between requests or before the first, or closing: no request head is complete, nothing is in
    /// flight, so it may be closed to make room.
    var isWaitingForRequest: Bool {
        switch phase {
        case .handshake, .idle, .readingHead, .lingering: true
        case .readingBody, .handling, .writing: false
        }
    }
}

/// Bytes waiting to be written, in order, without copying response bodies.
struct OutputQueue {
    private var chunks: [[UInt8]] = []
    private var offset = 0

    var isEmpty: Bool { chunks.isEmpty }

    mutating func append(_ bytes: [UInt8]) {
        if !bytes.isEmpty { chunks.append(bytes) }
    }

    /// Calls `write` with the unwritten part of the first two chunks (a response's head and body), as
    /// `iovec`s for `sendmsg`; it returns the bytes written, or nil to stop (would block or failed).
    /// Returns true when everything has been written.
    mutating func drainGathering(_ write: (UnsafeBufferPointer<iovec>) -> Int?) -> Bool {
        while !chunks.isEmpty {
            let skip = offset
            let written: Int? = chunks[0].withUnsafeBytes { first in
                let head = UnsafeRawBufferPointer(rebasing: first[skip...])
                var vectors = (iovec(iov_base: UnsafeMutableRawPointer(mutating: head.baseAddress), iov_len: head.count), iovec())
                guard chunks.count > 1 else {
                    return withUnsafePointer(to: &vectors.0) { write(UnsafeBufferPointer(start: $0, count: 1)) }
                }
                return chunks[1].withUnsafeBytes { second in
                    vectors.1 = iovec(iov_base: UnsafeMutableRawPointer(mutating: second.baseAddress), iov_len: second.count)
                    return withUnsafeBytes(of: &vectors) { raw in
                        write(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: iovec.self), count: 2))
                    }
                }
            }
            guard var written else { return false }
            while written > 0, let first = chunks.first {
                let left = first.count - offset
                if written < left {
                    offset += written
                    written = 0
                } else {
                    written -= left
                    chunks.removeFirst()
                    offset = 0
                }
            }
        }
        return true
    }

    /// Calls `write` with the unwritten part of the first chunk; it returns the bytes written, or nil to
    /// stop (would block or failed). Returns true when everything has been written.
    mutating func drain(_ write: (UnsafeRawBufferPointer) -> Int?) -> Bool {
        while let first = chunks.first {
            let written = first.withUnsafeBytes { write(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            guard let written else { return false }
            offset += written
            if offset == first.count {
                chunks.removeFirst()
                offset = 0
            }
        }
        return true
    }

    mutating func removeAll() {
        chunks.removeAll()
        offset = 0
    }
}
