import Foundation
import Glibc
@testable import SignetHTTP
import Testing

/// HTTPClient against a one-shot raw server that answers with exact bytes.
@Suite struct ClientTests {
    /// Accepts one connection, reads the request head, writes `reply`, then closes (after
    /// `holdOpen` is signalled, when given; it waits at most 30 s for that).
    final class CannedServer: @unchecked Sendable {
        let listener: Int32
        let port: Int
        let request = Captured<String>()

        init(reply: String, holdOpen: DispatchSemaphore? = nil) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            listen(listener, 4)
            self.listener = listener
            port = Socket.localPort(listener)
            let fd = listener
            let captured = request
            Thread {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                let reader = BufferedReader(transport: PlainTransport(fd: client))
                if let head = try? reader.readHead(maxBytes: 65536) { captured.set(String(decoding: head, as: UTF8.self)) }
                try? PlainTransport(fd: client).write(Array(reply.utf8))
                if let holdOpen { _ = holdOpen.wait(timeout: .now() + 30) }
                close(client)
            }.start()
        }

        deinit { close(listener) }
        var url: String { "http://127.0.0.1:\(port)/path?q=1" }
    }

    @Test func readsChunkedResponseAndSkipsInterim() throws {
        let server = try CannedServer(reply: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n4\r\n{\"a\"\r\nA\r\n:123456789\r\n1\r\n}\r\n0\r\n\r\n")
        let response = try HTTPClient().send(method: "POST", url: server.url, headers: ["X-Test": "1"], body: Array("x".utf8))
        #expect(response.status == 200)
        #expect(response.bodyText == "{\"a\":123456789}")
        let request = try #require(server.request.value)
        #expect(request.hasPrefix("POST /path?q=1 HTTP/1.1\r\n"))
        #expect(request.contains("Host: 127.0.0.1:\(server.port)\r\n"))
        #expect(request.contains("Connection: close\r\n"))
        #expect(request.contains("Content-Length: 1\r\n"))
        #expect(request.contains("X-Test: 1\r\n"))
    }

    @Test func readsBodyUntilCloseWithoutLength() throws {
        let server = try CannedServer(reply: "HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{\"errors\":[]}")
        let response = try HTTPClient().send(method: "GET", url: server.url)
        #expect(response.status == 404)
        #expect(response.bodyText == "{\"errors\":[]}")
    }

    @Test func enforcesMaxResponseBytes() throws {
        let server = try CannedServer(reply: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + String(repeating: "a", count: 100))
        #expect { try HTTPClient(maxResponseBytes: 50).send(method: "GET", url: server.url) } throws: { ($0 as? HTTPError)?.code == .tooLarge }
        let chunked = try CannedServer(reply: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n" + String(repeating: "a", count: 64) + "\r\n0\r\n\r\n")
        #expect { try HTTPClient(maxResponseBytes: 50).send(method: "GET", url: chunked.url) } throws: { ($0 as? HTTPError)?.code == .tooLarge }
    }

    /// The server keeps the connection open and silent until the client has given up, so only
    /// the client's own timeout can end the request (a close would be `.malformed`, not `.timeout`).
    @Test func timesOutOnSilentServer() throws {
        let holdOpen = DispatchSemaphore(value: 0)
        defer { holdOpen.signal() }
        let server = try CannedServer(reply: "", holdOpen: holdOpen)
        #expect { try HTTPClient(timeout: 0.5).send(method: "GET", url: server.url) } throws: { ($0 as? HTTPError)?.code == .timeout }
    }

    @Test func rejectsGarbageResponse() throws {
        let server = try CannedServer(reply: "SSH-2.0-OpenSSH\r\n\r\n")
        #expect { try HTTPClient().send(method: "GET", url: server.url) } throws: { ($0 as? HTTPError)?.code == .malformed }
    }

    /// Found by fuzzing (`scripts/fuzz http-response`, regression inputs
    /// `Tests/Fuzz/Corpus/http-response/regression-status-*.txt`): `Int("+20")` and `Int("001")`
    /// made `+20`, `-01` and `001` statuses. RFC 9112 §4: status-code = 3DIGIT; RFC 9110 §15: 100–599.
    @Test(arguments: ["+20", "-01", "001", "099", " 20", "2 0"])
    func refusesStatusThatIsNotThreeDigitsFrom100(_ status: String) throws {
        let server = try CannedServer(reply: "HTTP/1.1 \(status) X\r\nContent-Length: 0\r\n\r\n")
        #expect { try HTTPClient().send(method: "GET", url: server.url) } throws: {
            ($0 as? HTTPError)?.code == .malformed && ($0 as? HTTPError)?.message == "invalid status line"
        }
    }

    @Test func urlParsing() throws {
        let plain = try RequestURL("http://notary.example:4443/v2/a/b/_trust/tuf/root.json")
        #expect(!plain.isTLS && plain.host == "notary.example" && plain.port == 4443 && plain.target == "/v2/a/b/_trust/tuf/root.json")
        #expect(plain.hostHeader == "notary.example:4443")
        let v6 = try RequestURL("https://[::1]?x=1#frag")
        #expect(v6.isTLS && v6.host == "::1" && v6.port == 443 && v6.target == "/?x=1")
        #expect(v6.hostHeader == "[::1]")
        for bad in ["ftp://x/", "http://", "http://x:0/", "http://x:99999/", "notaurl", "http://[::1/", "http://x/a b"] {
            let error = #expect(throws: HTTPError.self, "\(bad)") { try RequestURL(bad) }
            #expect(error?.code == .malformed, "\(bad): \(String(describing: error))")
            #expect(error?.message.contains(bad) == true, "\(bad): \(String(describing: error))")
        }
        #expect { try HTTPClient().send(method: "GET", url: "http://no-such-host.invalid/") } throws: { ($0 as? HTTPError)?.code == .connect }
    }

    /// `http://` to a server that answers in TLS: a TLS alert record (`15 03 03 …`, what many TLS
    /// stacks send to a plain request), or Go's / nginx's plain-text 400, says to use https://
    /// (issue 10 §3; curl detects the record the same way).
    @Test(arguments: [
        "\u{15}\u{03}\u{03}\u{00}\u{02}\u{02}\u{46}",
        "\u{16}\u{03}\u{01}\u{00}\u{02}\u{02}\u{00}",
        "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n",
        "HTTP/1.1 400 Bad Request\r\nContent-Length: 71\r\n\r\n<html><body>The plain HTTP request was sent to HTTPS port</body></html>",
    ])
    func plainHTTPToTLSServerSaysUseHTTPS(reply: String) throws {
        let server = try CannedServer(reply: reply)
        #expect {
            try HTTPClient(timeout: 5).send(method: "GET", url: server.url)
        } throws: { error in
            let error = error as? HTTPError
            return error?.code == .tls && error?.message == "the server at 127.0.0.1:\(server.port) speaks TLS: use https://127.0.0.1:\(server.port)"
        }
    }

    /// An ordinary 400 on http:// is a response, not a TLS hint.
    @Test func ordinaryBadRequestIsAResponse() throws {
        let server = try CannedServer(reply: "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\nno")
        #expect(try HTTPClient(timeout: 5).send(method: "GET", url: server.url).status == 400)
    }
}
