import Foundation
@testable import SignetCrypto
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Thread-safe slot for a value produced on the server thread.
final class ResultBox<T>: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var value: T?
    private let done = DispatchSemaphore(value: 0)
    func set(_ v: T) { lock.lock(); value = v; lock.unlock(); done.signal() }
    func wait() -> T? { _ = done.wait(timeout: .now() + 20); lock.lock(); defer { lock.unlock() }; return value }
}

@Suite("TLS", .serialized)
struct TLSTests {
    /// Ignoring SIGPIPE is the server's job in production (writes to a peer that went away);
    /// the test process plays that role here.
    init() { signal(SIGPIPE, SIG_IGN) }

    struct ServerOutcome { var received: String; var peerCN: String?; var eofAfter: Bool; var error: String? }

    static func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw CryptoError(.tls, "socketpair failed") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        for fd in fds {
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        return (fds[0], fds[1])
    }

    /// Server side: handshake, read "ping", answer "pong", then read until EOF.
    static func serve(fd: Int32, context: TLSServerContext) -> ResultBox<ServerOutcome> {
        let box = ResultBox<ServerOutcome>()
        Thread.detachNewThread {
            defer { close(fd) }
            do {
                let connection = try TLSConnection(accepting: fd, context: context)
                var buffer = [UInt8](repeating: 0, count: 64)
                let n = try buffer.withUnsafeMutableBytes { try connection.read(into: $0) }
                let received = String(decoding: buffer[0..<n], as: UTF8.self)
                try Array("pong".utf8).withUnsafeBytes { try connection.write($0) }
                let eof = try buffer.withUnsafeMutableBytes { try connection.read(into: $0) } == 0
                connection.shutdown()
                box.set(ServerOutcome(received: received, peerCN: connection.peerCertificate?.commonName, eofAfter: eof, error: nil))
            } catch {
                box.set(ServerOutcome(received: "", peerCN: nil, eofAfter: false, error: "\(error)"))
            }
        }
        return box
    }

    /// Client side: handshake, send "ping", read the answer, close_notify.
    static func clientExchange(fd: Int32, context: TLSClientContext, hostname: String) throws -> (answer: String, connection: TLSConnection) {
        let connection = try TLSConnection(connecting: fd, context: context, hostname: hostname)
        try Array("ping".utf8).withUnsafeBytes { try connection.write($0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = try buffer.withUnsafeMutableBytes { try connection.read(into: $0) }
        connection.shutdown()
        return (String(decoding: buffer[0..<n], as: UTF8.self), connection)
    }

    func pki() throws -> URL {
        let dir = try TestSupport.makeTempDir("signet-tls")
        try TLSTestPKI.make(in: dir)
        return dir
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func exchangeBytesBothWays(hostname: String) throws {
        let dir = try pki()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try TLSServerContext(certificateChainPEMFile: dir.appendingPathComponent("server.pem").path,
                                          privateKeyPEMFile: dir.appendingPathComponent("server-key.pem").path)
        let client = try TLSClientContext(caFile: dir.appendingPathComponent("ca.pem").path)
        let (a, b) = try Self.socketPair()
        let outcome = Self.serve(fd: a, context: server)
        let (answer, connection) = try Self.clientExchange(fd: b, context: client, hostname: hostname)
        close(b)
        #expect(answer == "pong")
        #expect(connection.protocolVersion == "TLSv1.3")
        #expect(connection.peerCertificate?.commonName == "127.0.0.1")
        #expect(connection.peerCertificate?.subjectDescription == "O=Signet Tests,CN=127.0.0.1")
        let result = try #require(outcome.wait())
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.received == "ping")
        #expect(result.eofAfter)
        #expect(result.peerCN == nil)
    }

    @Test func wrongCAIsRejected() throws {
        let dir = try pki()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try TLSServerContext(certificateChainPEMFile: dir.appendingPathComponent("server.pem").path,
                                          privateKeyPEMFile: dir.appendingPathComponent("server-key.pem").path)
        let client = try TLSClientContext(caFile: dir.appendingPathComponent("other-ca.pem").path)
        let (a, b) = try Self.socketPair()
        let outcome = Self.serve(fd: a, context: server)
        #expect { try Self.clientExchange(fd: b, context: client, hostname: "127.0.0.1") } throws: {
            guard let error = $0 as? CryptoError else { return false }
            return error.code == .tls && error.message.contains("unable to get local issuer certificate")
        }
        close(b)
        #expect(outcome.wait()?.error != nil)
    }

    @Test func wrongHostnameIsRejected() throws {
        let dir = try pki()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try TLSServerContext(certificateChainPEMFile: dir.appendingPathComponent("server.pem").path,
                                          privateKeyPEMFile: dir.appendingPathComponent("server-key.pem").path)
        let client = try TLSClientContext(caFile: dir.appendingPathComponent("ca.pem").path)
        for hostname in ["notary.example.com", "127.0.0.2"] {
            let (a, b) = try Self.socketPair()
            let outcome = Self.serve(fd: a, context: server)
            #expect { try Self.clientExchange(fd: b, context: client, hostname: hostname) } throws: {
                ($0 as? CryptoError)?.message.contains("mismatch") == true
            }
            close(b)
            _ = outcome.wait()
        }
    }

    @Test func mutualTLS() throws {
        let dir = try pki()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        let server = try TLSServerContext(certificateChainPEMFile: path("server.pem"), privateKeyPEMFile: path("server-key.pem"),
                                          clientCAFile: path("ca.pem"), requireClientCertificate: true)
        // With a client certificate: the server sees who it is.
        let withCert = try TLSClientContext(caFile: path("ca.pem"), clientCertificateFile: path("client.pem"), clientKeyFile: path("client-key.pem"))
        var (a, b) = try Self.socketPair()
        var outcome = Self.serve(fd: a, context: server)
        let (answer, _) = try Self.clientExchange(fd: b, context: withCert, hostname: "127.0.0.1")
        close(b)
        #expect(answer == "pong")
        let result = try #require(outcome.wait())
        #expect(result.error == nil, "\(result.error ?? "")")
        #expect(result.peerCN == "signet-client")

        // Without one: the server refuses (in TLS 1.3 the client may only notice on its first read).
        let noCert = try TLSClientContext(caFile: path("ca.pem"))
        (a, b) = try Self.socketPair()
        outcome = Self.serve(fd: a, context: server)
        let refused = #expect(throws: CryptoError.self) { try Self.clientExchange(fd: b, context: noCert, hostname: "127.0.0.1") }
        #expect(refused?.code == .tls, "\(String(describing: refused))")
        close(b)
        #expect(outcome.wait()?.error?.contains("handshake") == true)
    }

    @Test func badFilesAreReported() throws {
        #expect { try TLSServerContext(certificateChainPEMFile: "/nonexistent/cert.pem", privateKeyPEMFile: "/nonexistent/key.pem") } throws: {
            ($0 as? CryptoError)?.code == .tls && "\($0)".contains("/nonexistent/cert.pem")
        }
        let missingCA = #expect(throws: CryptoError.self) { try TLSClientContext(caFile: "/nonexistent/ca.pem") }
        #expect(missingCA?.code == .tls)
        #expect(missingCA?.description.contains("/nonexistent/ca.pem") == true, "\(String(describing: missingCA))")
        _ = try TLSClientContext(caFile: nil)
    }
}
