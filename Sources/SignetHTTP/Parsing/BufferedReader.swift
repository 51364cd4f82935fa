/// Reads from a blocking `Transport` (the client, tests) into a `ByteQueue` and hands out heads and
/// bodies through the same decoders the server's event loop uses (`MessageDecoders.swift`).
///
/// Bytes read past the current message stay buffered for the next one.
final class BufferedReader {
    let transport: Transport
    private var queue = ByteQueue()
    private let scratch: UnsafeMutableRawBufferPointer

    init(transport: Transport, chunkSize: Int = 16 * 1024) {
        self.transport = transport
        self.scratch = .allocate(byteCount: chunkSize, alignment: 1)
    }

    deinit { scratch.deallocate() }

    /// Buffered bytes not yet consumed.
    var available: Int { queue.available }

    /// The buffered bytes not yet consumed, without consuming them (to look at a response's first bytes).
    var buffered: ArraySlice<UInt8> { queue.unread }

    /// Reads once from the transport and appends what arrived; false when the peer closed.
    @discardableResult
    func fill() throws -> Bool {
        let n = try transport.read(into: scratch)
        if n == 0 { return false }
        queue.append(UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        return true
    }

    /// Reads a message head (`HeadScanner`).
    ///
    /// - Returns: the head without its final empty line, or nil when the peer closed before sending
    ///   anything.
    /// - Throws: `.tooLarge` once more than `maxBytes` arrive without the end of the head;
    ///   `.io` when the peer closes mid-head; transport errors.
    func readHead(maxBytes: Int) throws -> [UInt8]? {
        var scanner = HeadScanner()
        while true {
            if let head = try scanner.next(&queue, maxBytes: maxBytes) { return head }
            guard try fill() else {
                if let error = scanner.endOfInput(queue) { throw error }
                return nil
            }
        }
    }

    /// Appends exactly `count` bytes to `output`, reading as needed.
    func read(exactly count: Int, into output: inout [UInt8]) throws {
        var remaining = count
        while remaining > 0 {
            if available == 0 {
                guard try fill() else { throw HTTPError(.io, "connection closed before the body was complete") }
            }
            remaining -= queue.move(upTo: remaining, into: &output)
        }
    }

    /// Reads a body framed as `framing` (`BodyDecoder`: limit, de-chunking, trailers dropped).
    func readBody(_ framing: BodyFraming, limit: Int, maxTrailerBytes: Int) throws -> [UInt8] {
        var decoder = try BodyDecoder(framing, limit: limit, maxTrailerBytes: maxTrailerBytes)
        var body: [UInt8] = []
        body.reserveCapacity(BodyDecoder.initialCapacity(framing))
        while try !decoder.next(&queue, into: &body) {
            guard try fill() else {
                try decoder.endOfInput()
                break
            }
        }
        return body
    }
}
