import Foundation
import Glibc
@testable import SignetHTTP

/// A raw-socket server on 127.0.0.1 that misbehaves on purpose, the way a hostile or broken trust
/// server would, so the client's deadlines can be tested against real sockets.
final class HostileServer: @unchecked Sendable {
    // @unchecked Sendable: `clients` and `stopped` are touched only while holding `lock`.

    enum Behaviour: Sendable {
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
        /// Reads the request and answers with `bytes` verbatim, then closes.
        case reply([UInt8])
    }

    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var clients: [Int32] = []
    private var stopped = false
    private var filler: Int32 = -1

    init(_ behaviour: Behaviour) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var backlog: Int32 = 16
        if case .backlogFull = behaviour { backlog = 0 }
        guard listener >= 0, bound == 0, listen(listener, backlog) == 0 else { throw HTTPError(.bind, "hostile server: \(errnoDescription(errno))") }
        self.listener = listener
        port = Socket.localPort(listener)
        switch behaviour {
        case .silentListener:
            return
        case .backlogFull:
            // One connection the server never accepts fills a backlog of 0.
            filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { throw HTTPError(.connect, "hostile server filler: \(errnoDescription(errno))") }
            return
        default:
            break
        }
        Thread { [self] in acceptLoop(behaviour) }.start()
    }

    deinit { stop() }

    var url: String { "http://127.0.0.1:\(port)" }

    /// Closes the listener and every accepted connection (which ends a client still waiting).
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        if filler >= 0 { close(filler) }
        for fd in clients { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop(_ behaviour: Behaviour) {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            lock.lock()
            if stopped {
                lock.unlock()
                close(fd)
                return
            }
            clients.append(fd)
            lock.unlock()
            Thread { [self] in
                serve(fd, behaviour)
                lock.lock()
                clients.removeAll { $0 == fd }
                lock.unlock()
                close(fd)
            }.start()
        }
    }

    private func serve(_ fd: Int32, _ behaviour: Behaviour) {
        func write(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
        }
        func drip(_ bytes: [UInt8], every seconds: Double) {
            for byte in bytes {
                guard !isStopped, write([byte]) else { return }
                usleep(UInt32(seconds * 1_000_000))
            }
        }
        func readSome() {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            _ = recv(fd, &buffer, buffer.count, 0)
        }
        switch behaviour {
        case .silentListener, .backlogFull:
            return
        case .silent:
            readSome()
            while !isStopped { usleep(50_000) }
        case .endlessContinue:
            readSome()
            let interim = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
            while !isStopped, write(interim) {}
        case .drip(let response, let every):
            readSome()
            drip(Array(response.utf8), every: every)
        case .dripBody(let head, let every):
            readSome()
            guard write(Array(head.utf8)) else { return }
            while !isStopped, write([UInt8(ascii: "x")]) { usleep(UInt32(every * 1_000_000)) }
        case .dripTLSRecord(let every):
            readSome()
            guard write([0x16, 0x03, 0x03, 0x40, 0x00]) else { return }
            while !isStopped, write([0x02]) { usleep(UInt32(every * 1_000_000)) }
        case .reply(let bytes):
            readSome()
            _ = write(bytes)
        }
    }
}

/// Runs `body` on its own thread and waits up to `bound` seconds for it to return. A hang detector,
/// not a speed check: `bound` is far above any deadline under test. Returns nil when `body` is still
/// running after `bound` (the caller then stops the server, which lets `body` finish).
func returnsWithin<T: Sendable>(_ bound: Double, _ body: @escaping @Sendable () throws -> T) -> Result<T, any Error>? {
    let result = Captured<Result<T, any Error>>()
    let done = DispatchSemaphore(value: 0)
    Thread {
        result.set(Result { try body() })
        done.signal()
    }.start()
    guard done.wait(timeout: .now() + bound) == .success else { return nil }
    return result.value
}
