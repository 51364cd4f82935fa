/// Bytes received and not yet consumed, taken off the front by the decoders in `MessageDecoders.swift`.
///
/// Shared by the blocking `BufferedReader` (client, tests) and the server's event loop, so both read
/// heads, lines and bodies with the same code. Consumed bytes are dropped lazily: the storage is
/// compacted when it is all consumed, or when more than 64 KiB and over half of it is.
struct ByteQueue {
    private var storage: [UInt8] = []
    private var start = 0

    /// Bytes not yet consumed.
    var available: Int { storage.count - start }

    /// The bytes not yet consumed, without consuming them.
    var unread: ArraySlice<UInt8> { storage[start...] }

    /// The unread byte at `offset` (0 is the first unread byte); `offset < available`.
    subscript(offset: Int) -> UInt8 { storage[start + offset] }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if start == storage.count {
            storage.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 && start * 2 > storage.count {
            storage.removeSubrange(0..<start)
            start = 0
        }
        storage.append(contentsOf: bytes)
    }

    /// Drops `count` unread bytes (`count <= available`).
    mutating func consume(_ count: Int) {
        start += count
    }

    /// Removes and returns the first `count` unread bytes (`count <= available`).
    mutating func take(_ count: Int) -> [UInt8] {
        defer { start += count }
        return Array(storage[start..<(start + count)])
    }

    /// Moves up to `count` unread bytes to the end of `output`; returns how many moved.
    mutating func move(upTo count: Int, into output: inout [UInt8]) -> Int {
        let moved = min(count, available)
        output.append(contentsOf: storage[start..<(start + moved)])
        start += moved
        return moved
    }

    /// The offset (from the first unread byte) of the first LF at or after `offset`, if any.
    func firstNewline(from offset: Int) -> Int? {
        storage[(start + offset)...].firstIndex(of: 0x0A).map { $0 - start }
    }

    /// Finds the empty line that ends a message head, searching from `offset`; lengths are relative to
    /// the first unread byte: the head keeps its last line's terminator, `totalLength` includes the
    /// empty line ("\n\n" or "\n\r\n").
    func headEnd(from offset: Int) -> (headLength: Int, totalLength: Int)? {
        storage.withUnsafeBufferPointer { bytes in
            var i = start + offset
            let end = bytes.count
            while i < end {
                if bytes[i] == 0x0A {
                    if i + 1 < end && bytes[i + 1] == 0x0A { return (i + 1 - start, i + 2 - start) }
                    if i + 2 < end && bytes[i + 1] == 0x0D && bytes[i + 2] == 0x0A { return (i + 1 - start, i + 3 - start) }
                }
                i += 1
            }
            return nil
        }
    }
}
