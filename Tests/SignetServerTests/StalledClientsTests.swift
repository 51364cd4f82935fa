import Foundation
import Glibc
import SignetCrypto
import SignetHTTP
import Testing

/// A slowloris crowd — 1,000 connections that send half a request and stall, and TLS handshakes
/// that never start — does not stop `signet serve` from serving an honest client, and the server
/// is still healthy afterwards. The read timeout is shortened in the config so the test is quick;
/// the mechanism (a per-request deadline, a connection cap answering 503) is the production one.
@Suite struct StalledClientsTests {
    @Test func slowlorisCrowdDoesNotStarveHonestClients() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let dir = scratch.path
        let openssl: [[String]] = [
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.crt", "-days", "2", "-subj", "/CN=stall CA"],
            ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "\(dir)/server.key", "-out", "\(dir)/server.csr", "-subj", "/CN=127.0.0.1"],
            ["x509", "-req", "-in", "\(dir)/server.csr", "-CA", "\(dir)/ca.crt", "-CAkey", "\(dir)/ca.key", "-CAcreateserial", "-out", "\(dir)/server.crt", "-days", "2", "-extfile", "\(dir)/san.ext"],
        ]
        try Data("subjectAltName=IP:127.0.0.1\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/san.ext"))
        for step in openssl { try #require(try runCommand("/usr/bin/openssl", step).status == 0) }
        try Data(#"{"limits": {"read_timeout_seconds": 2, "max_connections": 256}}"#.utf8).write(to: URL(fileURLWithPath: "\(dir)/config.json"))
        let server = try ServerProcess(storage: "\(dir)/data", extraArguments: [
            "--tls-cert", "\(dir)/server.crt", "--tls-key", "\(dir)/server.key", "--config", "\(dir)/config.json", "--log-level", "error",
        ], tls: true)
        defer { server.stop() }

        // 1,000 connections: most send nothing (a TLS handshake that never starts), some send a
        // few bytes of a ClientHello and stall.
        var stalled: [Int32] = []
        defer { stalled.forEach { close($0) } }
        for index in 0..<1000 {
            guard let fd = Self.connect(port: server.port) else { continue }
            if index % 4 == 0 { _ = send(fd, [0x16, 0x03, 0x01, 0x00], 4, Int32(MSG_NOSIGNAL)) }
            stalled.append(fd)
        }
        #expect(stalled.count > 900)

        // An honest client gets through within a few read timeouts (503s while the cap is full are
        // answered at once, so it retries).
        let client = HTTPClient(tls: try TLSClientContext(caFile: "\(dir)/ca.crt"), timeout: 5)
        var served = false
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, !served {
            if let response = try? client.send(method: "GET", url: "\(server.baseURL)/_notary_server/health"), response.status == 200 {
                served = true
            } else {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        #expect(served, "an honest client was not served within 20 s while 1,000 connections stalled")
        #expect(server.process.isRunning)

        // Once the crowd is cut off the server is fully available again.
        stalled.forEach { close($0) }
        stalled.removeAll()
        let after = try client.send(method: "GET", url: "\(server.baseURL)/v2/")
        #expect(after.status == 200)
        #expect(server.stop() == 0)
    }

    /// `limits.first_byte_timeout_seconds` in the config: as many silent connections as the cap (and
    /// more) do not lock an honest client out once the first-byte timeout has passed, and they are
    /// cut although the read timeout is a minute (issue 9 hole 7).
    @Test func silentConnectionsAreCutAtTheConfiguredFirstByteTimeout() throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let config = scratch.path + "/config.json"
        try Data(#"{"limits": {"first_byte_timeout_seconds": 1, "read_timeout_seconds": 60, "max_connections": 16}}"#.utf8).write(to: URL(fileURLWithPath: config))
        let server = try ServerProcess(storage: scratch.path + "/data", extraArguments: ["--config", config, "--log-level", "error"])
        defer { server.stop() }
        var silent = (0..<32).compactMap { _ in Self.connect(port: server.port) }
        defer { silent.forEach { close($0) } }
        #expect(silent.count == 32)
        Thread.sleep(forTimeInterval: 1.5)
        let response = try HTTPClient(timeout: 10).send(method: "GET", url: "\(server.baseURL)/_notary_server/health")
        #expect(response.status == 200)
        for fd in silent {
            var byte: UInt8 = 0
            var wait = timeval(tv_sec: 5, tv_usec: 0)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
            let n = recv(fd, &byte, 1, 0)
            #expect(n == 0 || (n < 0 && errno != EAGAIN), "a silent connection is still open")
        }
        silent.forEach { close($0) }
        silent.removeAll()
        #expect(server.stop() == 0)
    }

    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { close(fd); return nil }
        return fd
    }
}
