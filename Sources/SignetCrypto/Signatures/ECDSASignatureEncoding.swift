/// Conversion between Notary's raw `r‖s` ECDSA signatures and the DER `ECDSA-Sig-Value`
/// (RFC 3279 §2.2.3) that OpenSSL produces and consumes.
enum ECDSASignatureEncoding {
    /// DER `SEQUENCE { INTEGER r, INTEGER s }` → `r‖s`, each left-padded to `fieldBytes`.
    /// Returns nil if the DER is malformed or an integer is wider than `fieldBytes`.
    static func raw(fromDER der: [UInt8], fieldBytes: Int) -> [UInt8]? {
        var reader = DERReader(der)
        guard var sequence = reader.read(tag: 0x30), reader.isAtEnd,
              let r = sequence.read(tag: 0x02), let s = sequence.read(tag: 0x02), sequence.isAtEnd,
              let rPadded = leftPad(r.remaining, to: fieldBytes), let sPadded = leftPad(s.remaining, to: fieldBytes)
        else { return nil }
        return rPadded + sPadded
    }

    /// `r‖s` (two halves of equal length) → DER `ECDSA-Sig-Value`.
    static func der(fromRaw raw: [UInt8]) -> [UInt8] {
        let half = raw.count / 2
        return DERWriter.sequence(DERWriter.unsignedInteger(Array(raw[..<half])) + DERWriter.unsignedInteger(Array(raw[half...])))
    }

    private static func leftPad(_ integer: ArraySlice<UInt8>, to size: Int) -> [UInt8]? {
        let bytes = integer.drop { $0 == 0 }
        guard bytes.count <= size else { return nil }
        return [UInt8](repeating: 0, count: size - bytes.count) + bytes
    }
}
