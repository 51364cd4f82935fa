import Foundation

/// A real notary-server 0.7 (`/usr/bin/notary-server`, Debian package notary) with a local signer
/// on a free 127.0.0.1 port, over plain HTTP or, given a certificate and key, over TLS; storage in
/// memory, or in a database given as a `storage` config object (`{"backend": "postgres",
/// "db_url": …}`).
public final class NotaryServerProcess {
    public let process = Process()
    public let url: String
    /// `127.0.0.1:PORT`.
    public let hostPort: String
    public let directory: URL
    /// notary-server's log (warnings and errors).
    public var log: String { (try? String(contentsOf: directory.appendingPathComponent("server.log"), encoding: .utf8)) ?? "" }

    /// Starts the server and waits (at most 5 s) until `GET /v2/` answers.
    /// - Parameters:
    ///   - tls: certificate and key files for HTTPS.
    ///   - storage: notary-server's `storage` config object as JSON text (default memory).
    /// - Throws: `TestSupportFailure` naming the Debian package when notary-server or curl is
    ///   missing, or with the server's log when it does not start.
    public init(tls: (cert: String, key: String)? = nil, storage: String = #"{"backend": "memory"}"#) throws {
        for tool in ["/usr/bin/notary-server", "/usr/bin/curl"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestSupportFailure(RequiredTool.missingMessage(tool))
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("notary-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        hostPort = "127.0.0.1:\(try FreePort.pick())"
        url = (tls == nil ? "http://" : "https://") + hostPort
        let tlsFields = tls.map { #", "tls_cert_file": "\#($0.cert)", "tls_key_file": "\#($0.key)""# } ?? ""
        let config = directory.appendingPathComponent("server.json")
        try Data("""
        {"server": {"http_addr": "\(hostPort)"\(tlsFields)}, "trust_service": {"type": "local"},
         "storage": \(storage), "logging": {"level": "warn"}}
        """.utf8).write(to: config)
        let logPath = directory.appendingPathComponent("server.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/notary-server")
        process.arguments = ["-config", config.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        for _ in 0..<50 {
            if Self.answers("\(url)/v2/") { return }
            usleep(100_000)
        }
        let text = log
        stop()
        throw TestSupportFailure("notary-server did not start on \(url): \(text)")
    }

    /// SIGTERM, wait, remove its directory.
    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Whether `curl -skf url` succeeds.
    static func answers(_ url: String) -> Bool {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-skf", "-o", "/dev/null", url]
        curl.standardOutput = FileHandle.nullDevice
        curl.standardError = FileHandle.nullDevice
        guard (try? curl.run()) != nil else { return false }
        curl.waitUntilExit()
        return curl.terminationStatus == 0
    }
}
