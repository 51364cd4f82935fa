/// Minimal DER writer for the few structures OpenSSL cannot build for us (Notary's non-standard
/// Ed25519 PKCS#8, ECDSA-Sig-Value from raw halves). Definite lengths only.
enum DERWriter {
    static func tlv(_ tag: UInt8, _ content: [UInt8]) -> [UInt8] {
        [tag] + length(content.count) + content
    }

    static func length(_ n: Int) -> [UInt8] {
        if n < 0x80 { return [UInt8(n)] }
        var bytes: [UInt8] = []
        var value = n
        while value > 0 { bytes.insert(UInt8(value & 0xff), at: 0); value >>= 8 }
        return [0x80 | UInt8(bytes.count)] + bytes
    }

    static func sequence(_ content: [UInt8]) -> [UInt8] { tlv(0x30, content) }
    static func octetString(_ content: [UInt8]) -> [UInt8] { tlv(0x04, content) }
    static func integer(_ value: UInt8) -> [UInt8] { unsignedInteger([value]) }

    /// A non-negative big-endian integer: leading zeros stripped, one 0x00 added if the top bit is set.
    static func unsignedInteger(_ bigEndian: [UInt8]) -> [UInt8] {
        var bytes = Array(bigEndian.drop { $0 == 0 })
        if bytes.isEmpty { bytes = [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return tlv(0x02, bytes)
    }

    /// Dotted OID text (for example "1.3.6.1.4.1.11591.15.1") → DER OBJECT IDENTIFIER.
    static func objectIdentifier(_ dotted: String) -> [UInt8] {
        let arcs = dotted.split(separator: ".").map { UInt64($0)! }
        var content: [UInt8] = [UInt8(arcs[0] * 40 + arcs[1])]
        for arc in arcs.dropFirst(2) {
            var chunk: [UInt8] = [UInt8(arc & 0x7f)]
            var value = arc >> 7
            while value > 0 { chunk.insert(UInt8(value & 0x7f) | 0x80, at: 0); value >>= 7 }
            content += chunk
        }
        return tlv(0x06, content)
    }
}

/// Minimal DER reader: walks tag-length-value items with definite lengths.
struct DERReader {
    private let bytes: [UInt8]
    private var offset: Int
    private let end: Int

    init(_ bytes: [UInt8]) { self.init(bytes, 0, bytes.count) }
    private init(_ bytes: [UInt8], _ offset: Int, _ end: Int) { self.bytes = bytes; self.offset = offset; self.end = end }

    var isAtEnd: Bool { offset == end }
    var remaining: ArraySlice<UInt8> { bytes[offset..<end] }

    /// Reads one item with `tag` and returns a reader over its content; nil if malformed or another tag.
    mutating func read(tag: UInt8) -> DERReader? {
        guard offset + 2 <= end, bytes[offset] == tag else { return nil }
        var cursor = offset + 1
        var length = Int(bytes[cursor]); cursor += 1
        if length & 0x80 != 0 {
            let count = length & 0x7f
            guard count >= 1, count <= 4, cursor + count <= end else { return nil }
            length = 0
            for _ in 0..<count { length = (length << 8) | Int(bytes[cursor]); cursor += 1 }
        }
        guard length >= 0, cursor + length <= end else { return nil }
        offset = cursor + length
        return DERReader(bytes, cursor, cursor + length)
    }
}
