/// Buffers bytes from a `Transport` and hands out heads, lines and exact-length slices.
///
/// Bytes read past the current message stay buffered for the next one (pipelining, keep-alive).
final class BufferedReader {
    let transport: Transport
    private var storage: [UInt8] = []
    private var start = 0
    private let scratch: UnsafeMutableRawBufferPointer

    init(transport: Transport, chunkSize: Int = 16 * 1024) {
        self.transport = transport
        self.scratch = .allocate(byteCount: chunkSize, alignment: 1)
    }

    deinit { scratch.deallocate() }

    /// Buffered bytes not yet consumed.
    var available: Int { storage.count - start }

    /// The buffered bytes not yet consumed, without consuming them (to look at a response's first bytes).
    var buffered: ArraySlice<UInt8> { storage[start...] }

    /// Reads once from the transport and appends what arrived; false when the peer closed.
    @discardableResult
    func fill() throws -> Bool {
        let n = try transport.read(into: scratch)
        if n == 0 { return false }
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 && start * 2 > storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
        storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[0..<n]))
        return true
    }

    /// Reads a message head: everything up to and including the first empty line (CRLF CRLF, bare LF
    /// tolerated per RFC 9112 §2.2). Empty lines before the head are skipped (§2.2).
    ///
    /// - Returns: the head without its final empty line, or nil when the peer closed before sending
    ///   anything.
    /// - Throws: `.tooLarge` once more than `maxBytes` arrive without the end of the head;
    ///   `.io` when the peer closes mid-head; transport errors.
    func readHead(maxBytes: Int) throws -> [UInt8]? {
        var scanned = 0  // bytes of the head already searched for the terminator
        var sawAnyByte = false
        while true {
            // Skip leading empty lines.
            while scanned == 0, available > 0, storage[start] == 0x0D || storage[start] == 0x0A {
                if storage[start] == 0x0D && available < 2 { break }
                if storage[start] == 0x0D && storage[start + 1] != 0x0A { break }
                start += storage[start] == 0x0D ? 2 : 1
                sawAnyByte = true
            }
            if let end = findHeadEnd(from: scanned) {
                guard end.headLength <= maxBytes else { throw HTTPError(.tooLarge, "header section exceeds \(maxBytes) bytes") }
                let head = Array(storage[start..<(start + end.headLength)])
                start += end.totalLength
                return head
            }
            scanned = max(0, available - 3)
            // A head of maxBytes may still end with the next byte (its last "\n" plus "\r\n" are buffered
            // first), so only past maxBytes + 2 unterminated bytes is it too large however the bytes arrive.
            if available > maxBytes + 2 { throw HTTPError(.tooLarge, "header section exceeds \(maxBytes) bytes") }
            if available > 0 { sawAnyByte = true }
            guard try fill() else {
                if !sawAnyByte && available == 0 { return nil }
                throw HTTPError(.io, "connection closed in the middle of a message head")
            }
        }
    }

    /// Finds the empty line that ends a head; lengths are relative to `start`.
    private func findHeadEnd(from offset: Int) -> (headLength: Int, totalLength: Int)? {
        storage.withUnsafeBufferPointer { bytes in
            var i = start + offset
            let end = bytes.count
            while i < end {
                if bytes[i] == 0x0A {
                    // "\n\n" or "\n\r\n" ends the head; the head keeps its last line's terminator.
                    if i + 1 < end && bytes[i + 1] == 0x0A { return (i + 1 - start, i + 2 - start) }
                    if i + 2 < end && bytes[i + 1] == 0x0D && bytes[i + 2] == 0x0A { return (i + 1 - start, i + 3 - start) }
                }
                i += 1
            }
            return nil
        }
    }

    /// Reads one line (terminated by LF, optional CR stripped) of at most `maxBytes`; `.malformed` when
    /// it is longer.
    func readLine(maxBytes: Int) throws -> [UInt8] {
        var scanned = 0
        while true {
            if let newline = storage[(start + scanned)...].firstIndex(of: 0x0A) {
                var lineEnd = newline
                if lineEnd > start && storage[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                guard lineEnd - start <= maxBytes else { throw HTTPError(.malformed, "line exceeds \(maxBytes) bytes") }
                let line = Array(storage[start..<lineEnd])
                start = newline + 1
                return line
            }
            scanned = available
            if available > maxBytes + 1 { throw HTTPError(.malformed, "line exceeds \(maxBytes) bytes") }
            guard try fill() else { throw HTTPError(.io, "connection closed in the middle of a line") }
        }
    }

    /// Appends exactly `count` bytes to `output`, reading as needed.
    func read(exactly count: Int, into output: inout [UInt8]) throws {
        var remaining = count
        while remaining > 0 {
            if available == 0 {
                guard try fill() else { throw HTTPError(.io, "connection closed before the body was complete") }
            }
            let take = min(remaining, available)
            output.append(contentsOf: storage[start..<(start + take)])
            start += take
            remaining -= take
        }
    }

    /// Appends everything until the peer closes, failing past `limit` bytes in total in `output`.
    func readToEnd(into output: inout [UInt8], limit: Int) throws {
        while true {
            if available > 0 {
                guard output.count + available <= limit else { throw HTTPError(.tooLarge, "body exceeds \(limit) bytes") }
                output.append(contentsOf: storage[start...])
                start = storage.count
            }
            guard try fill() else { return }
        }
    }
}
