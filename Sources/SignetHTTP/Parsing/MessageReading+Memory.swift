/// The server's request reader and the client's response reader run over bytes held in memory
/// instead of a socket, for the fuzz targets (`Sources/SignetFuzzTargets`) and tests.
///
/// These call the very code a connection uses (`RequestParser`,
/// `HTTPClient.readResponse`), so what is fuzzed is what faces the network.
package enum MessageReading {
    /// What the server made of one request on a connection.
    package enum RequestOutcome: Equatable, CustomStringConvertible {
        /// A request reached the point of calling the handler.
        case request(method: String, target: String, path: String, headers: [String], body: [UInt8], keepAlive: Bool)
        /// Refused before the handler: the HTTP status answered (400, 413, 417, 431, 501, 505), or 0 for
        /// "close without answering" (peer closed, cut mid-message).
        case rejected(status: Int)
        /// The reader failed with an error other than a rejection (closed mid-head, I/O).
        case failed(HTTPError.Code)

        package var description: String {
            switch self {
            case .request(let method, let target, _, let headers, let body, let keepAlive):
                "request \(method) \(target) headers=\(headers.count) body=\(body.count) keepAlive=\(keepAlive)"
            case .rejected(let status): "rejected \(status)"
            case .failed(let code): "failed \(code.rawValue)"
            }
        }
    }

    /// Reads requests from `bytes` as one connection would: up to `maxRequests` pipelined requests,
    /// stopping after the first rejection, failure, a request without keep-alive, or the end of input.
    ///
    /// - Parameters:
    ///   - bytes: everything the peer sends, in order.
    ///   - readSize: the most bytes one `read` returns (1 makes every byte its own read).
    ///   - configuration: the limits applied (`maxHeaderBytes`, `maxBodyBytes`).
    ///   - rememberingHeads: parse through a `RequestHeadMemo` as the server does (heads seen before
    ///     are not parsed again); the outcomes must be the same either way.
    package static func readRequests(
        _ bytes: [UInt8], readSize: Int, configuration: HTTPServerConfiguration = .init(), maxRequests: Int = 8,
        rememberingHeads: Bool = false
    ) -> [RequestOutcome] {
        let memo = rememberingHeads ? RequestHeadMemo() : nil
        var parser = RequestParser(maxHeaderBytes: configuration.maxHeaderBytes, maxBodyBytes: configuration.maxBodyBytes, remote: "memory")
        let step = max(1, readSize)
        var offset = 0
        var outcomes: [RequestOutcome] = []
        while outcomes.count < maxRequests {
            var event = parser.next(memo: memo)
            if case .needMore = event {
                guard offset < bytes.count else {
                    event = parser.endOfInput() ?? .rejected(RequestRejection(status: 0))
                    outcomes.append(outcome(event))
                    break
                }
                let end = min(bytes.count, offset + step)
                bytes[offset..<end].withUnsafeBytes { parser.append($0) }
                offset = end
                continue
            }
            outcomes.append(outcome(event))
            guard case .request(_, true) = event else { break }
        }
        return outcomes
    }

    private static func outcome(_ event: RequestParser.Event) -> RequestOutcome {
        switch event {
        case .request(let request, let keepAlive):
            .request(method: request.method, target: request.target, path: request.path,
                     headers: request.headers.map { "\($0.name): \($0.value)" }, body: request.body, keepAlive: keepAlive)
        case .rejected(let rejection): .rejected(status: rejection.status)
        case .failed(let error): .failed(error.code)
        case .needMore: .failed(.io)
        }
    }

    /// Reads one response to `method` from `bytes` as `HTTPClient.send` does after writing its request.
    ///
    /// - Parameters:
    ///   - readSize: the most bytes one `read` returns.
    ///   - maxResponseBytes: the body limit (`HTTPError(.tooLarge)` beyond).
    /// - Throws: what `HTTPClient.send` throws for these bytes: `HTTPError` `.malformed`, `.tooLarge`, `.io`.
    package static func readResponse(_ bytes: [UInt8], method: String, readSize: Int, maxResponseBytes: Int) throws -> HTTPResponse {
        let client = HTTPClient(maxResponseBytes: maxResponseBytes)
        let reader = BufferedReader(transport: MemoryTransport(bytes, readSize: readSize))
        return try client.readResponse(reader, method: method, deadline: RequestDeadline(seconds: 3600), target: try RequestURL("http://fuzz.invalid/"))
    }
}

/// A `Transport` that reads from a byte array, at most `readSize` bytes per read, and discards writes.
final class MemoryTransport: Transport {
    private let bytes: [UInt8]
    private let readSize: Int
    private var offset = 0

    init(_ bytes: [UInt8], readSize: Int) {
        self.bytes = bytes
        self.readSize = max(1, readSize)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, readSize, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {}
    func close() {}
    var fd: Int32 { -1 }
}
