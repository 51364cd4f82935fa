/// `Content-Length` (RFC 9110 §8.6, RFC 9112 §6.3), read as bytes.
///
/// The value is `1*DIGIT` (ASCII `0`–`9`, leading zeros allowed). A field that is a comma list, or
/// several `Content-Length` fields (one list, RFC 9110 §5.3), is accepted as one length only when
/// every member is the same bytes after trimming SP and HTAB ("5, 5"); different members ("5, 6",
/// also "5, 05"), an empty member, a sign, or any other byte is refused. Split and compared as
/// bytes, never as `Character`s: a combining mark or U+0600 next to "," would hide the comma.
enum ContentLength {
    /// The one length the fields declare, in bytes.
    /// - Parameter fields: every `Content-Length` field value, in order (at least one).
    /// - Throws: `HTTPError(.malformed)` for anything but one or more identical runs of digits
    ///   (the server answers 400); `HTTPError(.tooLarge)` for digits whose value does not fit in
    ///   `Int` (a length no limit allows: the server answers 413, the client refuses the response).
    ///   No arithmetic overflows, however many digits.
    static func parse(_ fields: [String]) throws -> Int {
        var first: ArraySlice<UInt8>?
        for field in fields {
            let bytes = Array(field.utf8)
            for member in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
                let digits = trimmed(member)
                guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    throw HTTPError(.malformed, "invalid Content-Length")
                }
                if let first, first != digits { throw HTTPError(.malformed, "conflicting Content-Length values") }
                first = first ?? digits
            }
        }
        guard let first else { throw HTTPError(.malformed, "invalid Content-Length") }
        var value = 0
        for digit in first {
            let (times10, over1) = value.multipliedReportingOverflow(by: 10)
            let (sum, over2) = times10.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            guard !over1, !over2 else { throw HTTPError(.tooLarge, "Content-Length \(first.count) digits long is over any limit") }
            value = sum
        }
        return value
    }

    /// `bytes` without leading and trailing SP and HTAB (OWS).
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isWhitespace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let start = bytes.firstIndex(where: { !isWhitespace($0) }), let end = bytes.lastIndex(where: { !isWhitespace($0) }) else { return [] }
        return bytes[start...end]
    }
}
