import Foundation
import SignetCrypto
@testable import SignetHTTP
import Testing

/// TLS round trip with a CA and server certificate made by the `openssl` CLI (Debian package openssl).
@Suite struct TLSTests {
    /// Certificates in a temp dir: CA, server cert for IP:127.0.0.1 signed by it, and its key.
    struct Material: Sendable { var directory: String; var ca: String { directory + "/ca.pem" }; var cert: String { directory + "/server.pem" }; var key: String { directory + "/server.key" } }

    static let material: Material? = {
        let directory = NSTemporaryDirectory() + "signet-http-tls-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = """
        set -e
        cd '\(directory)'
        openssl ecparam -name prime256v1 -genkey -noout -out ca.key
        openssl req -x509 -new -key ca.key -subj /CN=signet-test-ca -days 2 -out ca.pem
        openssl ecparam -name prime256v1 -genkey -noout -out server.key
        openssl req -new -key server.key -subj /CN=127.0.0.1 -out server.csr
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > ext.cnf
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out server.pem
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? Material(directory: directory) : nil
    }()

    @Test func httpsRoundTrip() throws {
        let material = try #require(Self.material, "openssl (Debian package openssl) could not make the test certificates")
        let context = try TLSServerContext(certificateChainPEMFile: material.cert, privateKeyPEMFile: material.key)
        let server = try startServer { $0.tls = context; $0.readTimeout = 2; $0.firstByteTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = HTTPClient(tls: try TLSClientContext(caFile: material.ca))
        let response = try client.send(method: "POST", url: "https://127.0.0.1:\(server.boundPort)/tls", body: Array("secret".utf8))
        #expect(response.status == 200)
        #expect(response.bodyText == "secret")

        // A client that connects and never starts the handshake does not block others.
        let silent = try RawConnection(port: server.boundPort)
        #expect(try client.send(method: "GET", url: "https://127.0.0.1:\(server.boundPort)/again").status == 200)
        #expect(silent.isClosedByPeer())  // cut at the handshake deadline

        // A client that does not trust the CA fails with .tls.
        let untrusting = HTTPClient(tls: try TLSClientContext(caFile: nil))
        #expect { try untrusting.send(method: "GET", url: "https://127.0.0.1:\(server.boundPort)/") } throws: { ($0 as? HTTPError)?.code == .tls }
    }

    /// `http://` to a TLS port: the server answers the plain request as Go's net/http does (a 400
    /// with "Client sent an HTTP request to an HTTPS server."), instead of the reset OpenSSL leaves,
    /// and the client turns it into "speaks TLS: use https://". TLS clients are still served.
    @Test func plainHTTPToTLSPortSaysUseHTTPS() throws {
        let material = try #require(Self.material, "openssl (Debian package openssl) could not make the test certificates")
        let context = try TLSServerContext(certificateChainPEMFile: material.cert, privateKeyPEMFile: material.key)
        let server = try startServer { $0.tls = context }
        defer { server.shutdown(gracePeriod: 1) }
        let port = server.boundPort

        let raw = try RawConnection(port: port)
        try raw.send("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = try raw.readResponse()
        #expect(answer.status == 400)
        #expect(answer.bodyText == "Client sent an HTTP request to an HTTPS server.\n")

        #expect {
            try HTTPClient(timeout: 5).send(method: "GET", url: "http://127.0.0.1:\(port)/v2/")
        } throws: { error in
            let error = error as? HTTPError
            return error?.code == .tls && error?.message == "the server at 127.0.0.1:\(port) speaks TLS: use https://127.0.0.1:\(port)"
        }
        let served = try HTTPClient(tls: try TLSClientContext(caFile: material.ca), timeout: 5).send(method: "GET", url: "https://127.0.0.1:\(port)/x")
        #expect(served.status == 200)
    }
}
