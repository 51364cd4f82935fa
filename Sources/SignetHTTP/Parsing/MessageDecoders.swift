/// Incremental decoders for the parts of an HTTP/1.1 message (RFC 9112 §2.2, §6, §7.1), run over a
/// `ByteQueue` as bytes arrive. Each `next` either completes its part (consuming its bytes) or returns
/// "not yet" having consumed nothing it cannot resume from, so the same code serves the blocking
/// `BufferedReader` (fill, then call again) and the server's event loop (call again on the next read).

/// Finds a message head: everything up to the first empty line (CRLF CRLF, bare LF tolerated per
/// RFC 9112 §2.2); empty lines before the head are skipped (§2.2).
struct HeadScanner {
    /// Bytes of the head already searched for the terminator.
    private var scanned = 0
    /// Whether any byte of this head (a skipped empty line included) has arrived.
    private(set) var sawAnyByte = false

    /// - Returns: the head without its final empty line once it is complete (its bytes consumed), or
    ///   nil while more bytes are needed.
    /// - Throws: `.tooLarge` once more than `maxBytes` have arrived without the end of the head.
    mutating func next(_ queue: inout ByteQueue, maxBytes: Int) throws -> [UInt8]? {
        while scanned == 0, queue.available > 0, queue[0] == 0x0D || queue[0] == 0x0A {
            if queue[0] == 0x0D && (queue.available < 2 || queue[1] != 0x0A) { break }
            queue.consume(queue[0] == 0x0D ? 2 : 1)
            sawAnyByte = true
        }
        if let end = queue.headEnd(from: scanned) {
            guard end.headLength <= maxBytes else { throw HTTPError(.tooLarge, "header section exceeds \(maxBytes) bytes") }
            let head = queue.take(end.headLength)
            queue.consume(end.totalLength - end.headLength)
            return head
        }
        scanned = max(0, queue.available - 3)
        // A head of maxBytes may still end with the next byte (its last "\n" plus "\r\n" are buffered
        // first), so only past maxBytes + 2 unterminated bytes is it too large however the bytes arrive.
        if queue.available > maxBytes + 2 { throw HTTPError(.tooLarge, "header section exceeds \(maxBytes) bytes") }
        if queue.available > 0 { sawAnyByte = true }
        return nil
    }

    /// The error for a peer that closed before the head was complete, or nil when it had sent nothing.
    func endOfInput(_ queue: ByteQueue) -> HTTPError? {
        !sawAnyByte && queue.available == 0 ? nil : HTTPError(.io, "connection closed in the middle of a message head")
    }
}

/// Finds one line (terminated by LF, an optional CR stripped) of at most `maxBytes`.
struct LineScanner {
    private var scanned = 0

    /// - Returns: the line (its terminator consumed), or nil while more bytes are needed.
    /// - Throws: `.malformed` when the line is longer than `maxBytes`.
    mutating func next(_ queue: inout ByteQueue, maxBytes: Int) throws -> [UInt8]? {
        if let newline = queue.firstNewline(from: scanned) {
            let length = newline > 0 && queue[newline - 1] == 0x0D ? newline - 1 : newline
            guard length <= maxBytes else { throw HTTPError(.malformed, "line exceeds \(maxBytes) bytes") }
            let line = queue.take(length)
            queue.consume(newline + 1 - length)
            scanned = 0
            return line
        }
        scanned = queue.available
        if queue.available > maxBytes + 1 { throw HTTPError(.malformed, "line exceeds \(maxBytes) bytes") }
        return nil
    }
}

/// Reads a body framed as `BodyFraming`, de-chunking (RFC 9112 §7.1: extensions ignored, trailer
/// fields read and dropped).
struct BodyDecoder {
    private enum Stage {
        case length(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers(bytes: Int)
        case untilClose
        case done
    }

    private var stage: Stage
    private var line = LineScanner()
    private let limit: Int
    private let maxTrailerBytes: Int

    /// - Parameters:
    ///   - limit: the most body bytes accepted (`.tooLarge` beyond it; a `.length` over it is refused here,
    ///     before any body byte is read).
    ///   - maxTrailerBytes: the most bytes of chunked trailer fields.
    init(_ framing: BodyFraming, limit: Int, maxTrailerBytes: Int) throws {
        self.limit = limit
        self.maxTrailerBytes = maxTrailerBytes
        switch framing {
        case .none: stage = .done
        case .length(let length):
            guard length <= limit else { throw HTTPError(.tooLarge, "body of \(length) bytes exceeds the limit of \(limit)") }
            stage = length == 0 ? .done : .length(remaining: length)
        case .chunked: stage = .chunkSize
        case .untilClose: stage = .untilClose
        }
    }

    /// The capacity worth reserving for the body: what was declared, at most 1 MiB (memory grows as
    /// bytes arrive, so a false length costs nothing).
    static func initialCapacity(_ framing: BodyFraming) -> Int {
        if case .length(let length) = framing { return min(length, 1 << 20) }
        return 0
    }

    /// True when no body byte is (still) expected: no body, or all of it read.
    var isComplete: Bool {
        if case .done = stage { return true }
        return false
    }

    /// Moves body bytes from `queue` to `body`. Returns true once the body is complete.
    /// - Throws: `.tooLarge` past the limit (body or trailers), `.malformed` for broken chunk framing.
    mutating func next(_ queue: inout ByteQueue, into body: inout [UInt8]) throws -> Bool {
        while true {
            switch stage {
            case .done:
                return true
            case .length(let remaining):
                let moved = queue.move(upTo: remaining, into: &body)
                stage = moved == remaining ? .done : .length(remaining: remaining - moved)
                if moved < remaining { return false }
            case .untilClose:
                guard body.count + queue.available <= limit else { throw HTTPError(.tooLarge, "body exceeds \(limit) bytes") }
                _ = queue.move(upTo: queue.available, into: &body)
                return false
            case .chunkSize:
                guard let sizeLine = try line.next(&queue, maxBytes: 4096) else { return false }
                let size = try Self.chunkSize(sizeLine)
                if size == 0 {
                    stage = .trailers(bytes: 0)
                } else {
                    guard body.count + size <= limit else { throw HTTPError(.tooLarge, "chunked body exceeds the limit of \(limit) bytes") }
                    stage = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let moved = queue.move(upTo: remaining, into: &body)
                stage = moved == remaining ? .chunkEnd : .chunkData(remaining: remaining - moved)
                if moved < remaining { return false }
            case .chunkEnd:
                guard let end = try line.next(&queue, maxBytes: 0) else { return false }
                guard end.isEmpty else { throw HTTPError(.malformed, "chunk data not followed by CRLF") }
                stage = .chunkSize
            case .trailers(let bytes):
                guard let trailer = try line.next(&queue, maxBytes: maxTrailerBytes) else { return false }
                if trailer.isEmpty {
                    stage = .done
                } else {
                    guard bytes + trailer.count + 2 <= maxTrailerBytes else { throw HTTPError(.tooLarge, "chunked trailer section too large") }
                    stage = .trailers(bytes: bytes + trailer.count + 2)
                }
            }
        }
    }

    /// The peer closed: fine for a read-to-close body (it is complete), otherwise `.io`.
    mutating func endOfInput() throws {
        switch stage {
        case .done, .untilClose:
            stage = .done
        case .length, .chunkData:
            throw HTTPError(.io, "connection closed before the body was complete")
        case .chunkSize, .chunkEnd, .trailers:
            throw HTTPError(.io, "connection closed in the middle of a line")
        }
    }

    /// chunk-size [ chunk-ext ]: hex digits (at most 15), then optional whitespace and `;` extensions.
    private static func chunkSize(_ line: [UInt8]) throws -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = RequestTarget.hexValue(byte) else { break }
            digits += 1
            guard digits <= 15 else { throw HTTPError(.malformed, "chunk size too long") }
            size = size << 4 | Int(value)
        }
        guard digits > 0 else { throw HTTPError(.malformed, "invalid chunk size line") }
        let rest = line[digits...].drop { $0 == 0x20 || $0 == 0x09 }
        guard rest.isEmpty || rest.first == UInt8(ascii: ";") else { throw HTTPError(.malformed, "invalid chunk size line") }
        return size
    }
}
