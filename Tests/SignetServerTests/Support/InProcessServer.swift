import Foundation
import Logging
import SignetHTTP
@testable import SignetServer

/// A settable clock for the server under test.
final class TestClock: @unchecked Sendable {
    // @unchecked Sendable: `offset` is only touched while holding `lock`.
    private let lock = NSLock()
    private var offset: TimeInterval = 0
    func now() -> Date { lock.withLock { Date().addingTimeInterval(offset) } }
    func advance(days: Double) { lock.withLock { offset += days * 86400 } }
}

/// `TrustServer` behind a real `HTTPServer` on 127.0.0.1 (ephemeral port), in this process.
final class InProcessServer: @unchecked Sendable {
    let trust: TrustServer
    let http: HTTPServer
    let clock = TestClock()
    var port: Int { http.boundPort }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    /// - Parameter assemble: builds the trust server from the settings (default: the file store in
    ///   `storage`, as `signet serve` does); tests that inject their own storage pass their own.
    /// - Parameter answerFromMemory: also answer current metadata on the event loop
    ///   (`TrustServer.cachedResponse`), as `signet serve` does (`ServeAssembly`).
    init(storage: String, maxBodyBytes: Int = 100 * 1024 * 1024, answerFromMemory: Bool = false,
         configure: (inout TrustServerSettings) -> Void = { _ in },
         assemble: (TrustServerSettings, Logger) throws -> TrustServer = { try TrustServer(settings: $0, logger: $1) }) throws {
        var settings = TrustServerSettings(storageDirectory: storage)
        settings.keyPassphrase = "in-process-test-passphrase"
        settings.keyDerivation = .pbkdf2SHA256(iterations: 1000)  // tests only: fast key files
        let clock = self.clock
        settings.clock = { clock.now() }
        configure(&settings)
        let logger = Logger(label: "signet.test", factory: { _ in SwiftLogNoOpLogHandler() })
        let trust = try assemble(settings, logger)
        self.trust = trust
        var responder: (@Sendable (HTTPRequest) -> HTTPResponse?)?
        if answerFromMemory { responder = { trust.cachedResponse($0) } }
        http = HTTPServer(configuration: HTTPServerConfiguration(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes),
                          logger: logger, cachedResponder: responder) { trust.handle($0) }
        try http.start()
    }

    func stop() { http.shutdown(gracePeriod: 2) }

    func get(_ target: String) throws -> HTTPResponse { try RawHTTP.send(port: port, method: "GET", target: target) }
}
