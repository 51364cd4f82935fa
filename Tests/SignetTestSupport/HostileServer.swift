import Foundation
import Glibc

/// A raw-socket server on 127.0.0.1 that misbehaves on purpose, the way a hostile or broken trust
/// server (or token realm) would, so deadlines can be tested against real sockets: SignetHTTP's
/// client directly, and the `signet` binary. Every connection gets `behaviour`.
public final class HostileServer: @unchecked Sendable {
    // @unchecked Sendable: `clients`, `stopped` and `filler` are touched only while holding `lock`.

    public enum Behaviour: Sendable, CustomStringConvertible {
        /// Listens but never accepts: the kernel completes the TCP handshake, nothing is ever read.
        case silentListener
        /// Listens with a full accept queue and never accepts: a new connect is never answered (the
        /// kernel drops its SYN), like a host that black-holes the port.
        case backlogFull
        /// Accepts and reads the request, then never answers.
        case silent
        /// Answers `HTTP/1.1 100 Continue` over and over, as fast as the socket takes it.
        case endlessContinue
        /// Writes `response` one byte every `every` seconds.
        case drip(String, every: Double)
        /// Writes `head` at once, then the body one byte every `every` seconds (an endless body).
        case dripBody(head: String, every: Double)
        /// Answers a TLS ClientHello with the header of a 16 KiB handshake record, then one byte of it
        /// every `every` seconds (a TLS handshake that never completes).
        case dripTLSRecord(every: Double)
        /// Reads the request, answers with `response` verbatim, half-closes and reads until the
        /// client closes.
        case reply(String)
        /// Reads the request and answers with what `answer` returns for its bytes (as text), then
        /// half-closes as `.reply` does: a scripted peer, such as a token realm that checks the
        /// credentials it is sent.
        case respond(@Sendable (String) -> String)

        public var description: String {
            switch self {
            case .silentListener: "silent listener"
            case .backlogFull: "full backlog"
            case .silent: "silent"
            case .endlessContinue: "endless 100 Continue"
            case .drip: "head dripped"
            case .dripBody: "body dripped"
            case .dripTLSRecord: "TLS record dripped"
            case .reply: "reply"
            case .respond: "scripted reply"
            }
        }
    }

    public let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var stopped = false
    private var filler: Int32 = -1

    public init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw TestSupportFailure("hostile server: socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let backlog: Int32
        if case .backlogFull = behaviour { backlog = 0 } else { backlog = 16 }
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && listen(listener, backlog) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else {
            let reason = String(cString: strerror(errno))
            close(listener)
            throw TestSupportFailure("hostile server: \(reason)")
        }
        self.listener = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        switch behaviour {
        case .silentListener:
            return
        case .backlogFull:
            // One connection the server never accepts fills a backlog of 0.
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            lock.withLock { self.filler = filler }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw TestSupportFailure("hostile server filler: \(String(cString: strerror(errno)))") }
            return
        default:
            break
        }
        Thread { [self] in acceptLoop(behaviour) }.start()
    }

    deinit { stop() }

    public var url: String { "http://127.0.0.1:\(port)" }

    /// Closes the listener and every accepted connection (which ends a client still waiting).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        if filler >= 0 { close(filler) }
        for fd in clients { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            lock.lock()
            guard !stopped else { lock.unlock(); close(fd); return }
            clients.append(fd)
            lock.unlock()
            Thread { [self] in
                serve(fd, behaviour)
                lock.withLock { clients.removeAll { $0 == fd } }
                close(fd)
            }.start()
        }
    }

    private func serve(_ fd: Int32, _ behaviour: Behaviour) {
        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        func dripForever(_ head: [UInt8], byte: UInt8, every seconds: Double) {
            guard write(head) else { return }
            while !isStopped, write([byte]) { usleep(UInt32(seconds * 1_000_000)) }
        }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let received = recv(fd, &buffer, buffer.count, 0)
        switch behaviour {
        case .silentListener, .backlogFull:
            return  // never accepted
        case .silent:
            while !isStopped { usleep(50_000) }
        case .endlessContinue:
            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            while !isStopped, write(interim) {}
        case .drip(let response, let every):
            for byte in response.utf8 {
                guard !isStopped, write([byte]) else { return }
                usleep(UInt32(every * 1_000_000))
            }
        case .dripBody(let head, let every):
            dripForever(Array(head.utf8), byte: UInt8(ascii: "x"), every: every)
        case .dripTLSRecord(let every):
            dripForever([0x16, 0x03, 0x03, 0x40, 0x00], byte: 0x02, every: every)
        case .reply(let response):
            _ = write(Array(response.utf8))
            Glibc.shutdown(fd, Int32(SHUT_WR))
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
        case .respond(let answer):
            _ = write(Array(answer(String(decoding: buffer.prefix(max(0, received)), as: UTF8.self)).utf8))
            Glibc.shutdown(fd, Int32(SHUT_WR))
            while recv(fd, &buffer, buffer.count, 0) > 0 {}
        }
    }
}
