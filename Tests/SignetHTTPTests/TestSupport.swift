import Foundation
import Glibc
import Logging
@testable import SignetHTTP

/// A logger that drops everything, so test output stays readable (set SIGNET_TEST_LOG=1 to see it).
let testLogger: Logger = {
    var logger = Logger(label: "signet.http.test") { label in
        ProcessInfo.processInfo.environment["SIGNET_TEST_LOG"] == nil
            ? SwiftLogNoOpLogHandler() as any LogHandler : StreamLogHandler.standardError(label: label)
    }
    logger.logLevel = .debug
    return logger
}()

/// Starts a server on 127.0.0.1 with an ephemeral port.
func startServer(
    _ configure: (inout HTTPServerConfiguration) -> Void = { _ in },
    handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = echoHandler
) throws -> HTTPServer {
    var configuration = HTTPServerConfiguration(port: 0)
    configure(&configuration)
    let server = HTTPServer(configuration: configuration, logger: testLogger, handler: handler)
    try server.start()
    return server
}

/// Answers with a plain-text description of the request and echoes the body.
@Sendable func echoHandler(_ request: HTTPRequest) -> HTTPResponse {
    var headers = HTTPHeaders()
    headers["Content-Type"] = "text/plain; charset=utf-8"
    headers["X-Method"] = request.method
    headers["X-Path"] = request.path
    headers["X-Body-Length"] = String(request.body.count)
    return HTTPResponse(status: 200, headers: headers, body: request.body.isEmpty ? Array("hello \(request.path)".utf8) : request.body)
}

/// A raw TCP connection for writing exact bytes and reading responses.
final class RawConnection {
    let fd: Int32
    let reader: BufferedReader

    init(port: Int, readTimeout: Double = 5) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPError(.connect, "socket: \(errnoDescription(errno))") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            let error = errnoDescription(errno)
            close(fd)
            throw HTTPError(.connect, "connect: \(error)")
        }
        Socket.setTimeout(fd, SO_RCVTIMEO, seconds: readTimeout)
        self.fd = fd
        reader = BufferedReader(transport: PlainTransport(fd: fd))
    }

    deinit { close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws { try PlainTransport(fd: fd).write(bytes) }

    /// Reads one response (status, headers, Content-Length body); HEAD responses get `noBody`.
    func readResponse(noBody: Bool = false) throws -> HTTPResponse {
        guard let headBytes = try reader.readHead(maxBytes: 65536) else { throw HTTPError(.io, "closed") }
        let head = try MessageHead.parse(headBytes)
        let status = Int(head.startLine.split(separator: " ")[1])!
        var body: [UInt8] = []
        if !noBody, let length = head.headers["Content-Length"].flatMap(Int.init) {
            try reader.read(exactly: length, into: &body)
        }
        return HTTPResponse(status: status, headers: head.headers, body: body)
    }

    /// True when the server closed the connection (read returns EOF) within the read timeout.
    func isClosedByPeer() -> Bool {
        (try? reader.fill()) == false
    }

    /// True when a read would not block now: the server has sent bytes or closed the connection.
    func isReadable() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) > 0
    }
}

func url(_ server: HTTPServer, _ path: String) -> String { "http://127.0.0.1:\(server.boundPort)\(path)" }

/// Polls `condition` until it holds or `timeout` seconds pass.
func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
    let end = monotonicSeconds() + timeout
    while monotonicSeconds() < end {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
