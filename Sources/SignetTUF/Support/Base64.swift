import FoundationEssentials

/// Standard base64 with padding, as Go's `[]byte` JSON encoding writes it.
public enum Base64 {
    public static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    /// Strict decode: standard alphabet with padding, no whitespace, and zero padding bits, so
    /// every byte string has exactly one accepted encoding (a changed character can never decode
    /// to the same bytes). Nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text) else { return nil }
        let bytes = [UInt8](data)
        guard encode(bytes) == text else { return nil }
        return bytes
    }
}
