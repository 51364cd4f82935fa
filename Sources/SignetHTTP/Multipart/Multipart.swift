import FoundationEssentials
import SignetCrypto
import SignetSupport

/// `multipart/form-data` (RFC 7578 on RFC 2046 §5.1) as Notary clients upload metadata: one part per
/// role, `Content-Disposition: form-data; name="files"; filename="<role>"`.
public enum Multipart {
    /// Splits a multipart body into its parts.
    ///
    /// - Parameters:
    ///   - body: the request body.
    ///   - contentType: the request's `Content-Type`, e.g. `multipart/form-data; boundary=abc` (the
    ///     boundary may be quoted).
    /// - Returns: the parts in order; the preamble and epilogue are ignored.
    /// - Throws: `HTTPError(.malformed)` when the media type is not `multipart/*`, the boundary parameter
    ///   is missing or longer than 70 characters, no delimiter is found, a part's header section is
    ///   broken, or the closing delimiter (`--boundary--`) is missing.
    public static func parse(body: [UInt8], contentType: String) throws -> [MultipartPart] {
        let (mediaType, parameters) = HeaderParameters.parse(contentType)
        guard mediaType.lowercased().hasPrefix("multipart/") else {
            throw HTTPError(.malformed, "Content-Type \(mediaType) is not multipart")
        }
        guard let boundary = parameters.first(where: { $0.name.lowercased() == "boundary" })?.value,
              !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw HTTPError(.malformed, "multipart Content-Type has no valid boundary parameter")
        }
        let dashBoundary = Array("--\(boundary)".utf8)
        let delimiter = [0x0D, 0x0A] + dashBoundary  // CRLF "--" boundary

        return try body.withUnsafeBufferPointer { bytes -> [MultipartPart] in
            // The first delimiter may start the body or follow a preamble line.
            var position: Int
            if starts(bytes, at: 0, with: dashBoundary) {
                position = dashBoundary.count
            } else if let found = find(delimiter, in: bytes, from: 0) {
                position = found + delimiter.count
            } else {
                throw HTTPError(.malformed, "multipart body has no boundary delimiter")
            }

            var parts: [MultipartPart] = []
            while true {
                if starts(bytes, at: position, with: [0x2D, 0x2D]) { return parts }  // close delimiter
                while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 { position += 1 }  // transport padding
                if starts(bytes, at: position, with: [0x0D, 0x0A]) {
                    position += 2
                } else if starts(bytes, at: position, with: [0x0A]) {
                    position += 1
                } else {
                    throw HTTPError(.malformed, position >= bytes.count ? "multipart body has no closing delimiter" : "garbage after a multipart delimiter")
                }

                var headers = HTTPHeaders()
                while true {
                    guard let lineEnd = find([0x0A], in: bytes, from: position) else {
                        throw HTTPError(.malformed, "multipart part header section is not terminated")
                    }
                    var end = lineEnd
                    if end > position && bytes[end - 1] == 0x0D { end -= 1 }
                    let line = Array(bytes[position..<end])
                    position = lineEnd + 1
                    if line.isEmpty { break }
                    guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else {
                        throw HTTPError(.malformed, "multipart part header line without a colon")
                    }
                    headers.add(String(decoding: line[..<colon], as: UTF8.self),
                                String(String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingHTTPWhitespace()))
                }

                guard let bodyEnd = find(delimiter, in: bytes, from: position) else {
                    throw HTTPError(.malformed, "multipart body has no closing delimiter")
                }
                var name: String?
                var filename: String?
                if let disposition = headers["Content-Disposition"] {
                    let parameters = HeaderParameters.parse(disposition).parameters
                    name = parameters.first { $0.name.lowercased() == "name" }?.value
                    filename = parameters.first { $0.name.lowercased() == "filename" }?.value
                }
                parts.append(MultipartPart(name: name, filename: filename, headers: headers, body: Array(bytes[position..<bodyEnd])))
                position = bodyEnd + delimiter.count
            }
        }
    }

    /// Builds a `multipart/form-data` body byte-for-byte like Go's `mime/multipart.Writer.CreateFormFile`
    /// (what the notary client sends): each part has `Content-Disposition: form-data; name="…";
    /// filename="…"` (with `\` and `"` backslash-escaped) and `Content-Type: application/octet-stream`.
    ///
    /// - Parameters:
    ///   - parts: `(name, filename, body)` in order; Notary uses name `files` and the role as filename.
    ///   - boundary: 1–70 characters from RFC 2046's bchars; send it in `contentType(boundary:)`.
    public static func encode(parts: [(name: String, filename: String, body: [UInt8])], boundary: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.body.count + 200 })
        for (index, part) in parts.enumerated() {
            let lead = index == 0 ? "--\(boundary)\r\n" : "\r\n--\(boundary)\r\n"
            out += Array((lead
                + "Content-Disposition: form-data; name=\(QuotedString.quote(part.name)); filename=\(QuotedString.quote(part.filename))\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").utf8)
            out += part.body
        }
        out += Array((parts.isEmpty ? "--\(boundary)--\r\n" : "\r\n--\(boundary)--\r\n").utf8)
        return out
    }

    /// The `Content-Type` header value for a body made by `encode(parts:boundary:)`.
    public static func contentType(boundary: String) -> String { "multipart/form-data; boundary=\(boundary)" }

    /// A random 60-hex-digit boundary, like Go's.
    public static func randomBoundary() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<30).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte >> 4, radix: 16) + String(byte & 0x0F, radix: 16)
        }.joined()
    }

    private static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, with prefix: [UInt8]) -> Bool {
        guard offset + prefix.count <= bytes.count else { return false }
        for (index, byte) in prefix.enumerated() where bytes[offset + index] != byte { return false }
        return true
    }

    /// First index of `needle` at or after `from`. Linear for our needles: the delimiter's first byte
    /// (CR or LF) occurs nowhere else in it, so candidate positions never overlap.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = from
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first && starts(bytes, at: index, with: needle) { return index }
            index += 1
        }
        return nil
    }
}

/// Parses `value; name=token; name="quoted \" string"` header values (RFC 9110 §5.6.6); the
/// quoted-strings through `QuotedString`. A parameter without `=` is skipped; a value (quoted or a
/// token) that is unterminated or holds a control character other than HTAB ends the list there (it
/// and what follows are dropped, as Go's `mime.ParseMediaType` refuses them); text between a
/// closing quote and the next `;` is ignored. Read scalar by scalar: as `Character`s, a `;` or `=`
/// after U+0600 is part of one grapheme cluster and goes unseen.
enum HeaderParameters {
    static func parse(_ header: String) -> (value: String, parameters: [(name: String, value: String)]) {
        var rest = Substring(header).unicodeScalars
        let value = rest.prefix { $0 != ";" }
        rest = rest[value.endIndex...]
        var parameters: [(name: String, value: String)] = []
        while rest.first == ";" {
            rest = rest.dropFirst()
            let name = Substring(rest.prefix { $0 != "=" && $0 != ";" }).trimmingHTTPWhitespace()
            rest = rest.drop { $0 != "=" && $0 != ";" }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
            if rest.first == "\"" {
                guard let (quoted, after) = QuotedString.read(Substring(rest)) else { break }
                parameters.append((String(name), quoted))
                rest = after.unicodeScalars.drop { $0 != ";" }
            } else {
                let raw = rest.prefix { $0 != ";" }
                guard !raw.contains(where: { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F }) else { break }
                parameters.append((String(name), String(Substring(raw).trimmingHTTPWhitespace())))
                rest = rest[raw.endIndex...]
            }
        }
        return (String(Substring(value).trimmingHTTPWhitespace()), parameters)
    }
}
