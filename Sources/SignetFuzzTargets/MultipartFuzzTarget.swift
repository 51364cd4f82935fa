import SignetHTTP

/// `Multipart.parse`. Input: the `Content-Type` value, a LF, then the body.
///
/// Properties, for every body the parser accepts:
/// - each part's body is a slice of the input (no byte invented);
/// - when every part has a name and a filename, `Multipart.encode` of those parts with the same
///   boundary parses back to the same names, filenames and bodies (what the server reads is what a
///   Notary client meant to send).
public enum MultipartFuzzTarget {
    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        guard let newline = bytes.firstIndex(of: 0x0A) else { return }
        let contentType = String(decoding: bytes[..<newline], as: UTF8.self)
        let body = Array(bytes[(newline + 1)...])
        guard let parts = try? Multipart.parse(body: body, contentType: contentType) else { return }
        for part in parts where part.body.count > body.count {
            throw FuzzPropertyViolation(.multipart, "a part's body (\(part.body.count) bytes) is longer than the whole body")
        }
        let named = parts.compactMap { part in part.name.flatMap { name in part.filename.map { (name: name, filename: $0, body: part.body) } } }
        guard named.count == parts.count, let boundary = boundary(of: contentType) else { return }
        let encoded = Multipart.encode(parts: named, boundary: boundary)
        let again: [MultipartPart]
        do {
            again = try Multipart.parse(body: encoded, contentType: contentType)
        } catch {
            throw FuzzPropertyViolation(.multipart, "re-encoded parts do not parse: \(error)")
        }
        guard again.count == named.count else {
            throw FuzzPropertyViolation(.multipart, "re-encoded \(named.count) parts parse as \(again.count)")
        }
        for (original, reread) in zip(named, again)
        where reread.name != original.name || reread.filename != original.filename || reread.body != original.body {
            throw FuzzPropertyViolation(.multipart, "a re-encoded part parses to a different name, filename or body")
        }
    }

    /// The boundary the parser used, found by asking the parser: a one-part body built with a
    /// candidate boundary must parse. Only plain `boundary=<token>` values are re-encoded.
    private static func boundary(of contentType: String) -> String? {
        guard contentType.ranges(of: "boundary=").count == 1, let range = contentType.firstRange(of: "boundary=") else { return nil }
        let value = contentType[range.upperBound...].prefix { $0 != ";" && $0 != " " && $0 != "\t" && $0 != "\"" }
        guard !value.isEmpty else { return nil }
        let probe = Multipart.encode(parts: [(name: "n", filename: "f", body: [])], boundary: String(value))
        guard (try? Multipart.parse(body: probe, contentType: contentType))?.count == 1 else { return nil }
        return String(value)
    }
}
