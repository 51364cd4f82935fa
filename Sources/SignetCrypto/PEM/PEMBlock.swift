import FoundationEssentials
import SignetSupport

/// One PEM block (RFC 7468, with RFC 1421 headers as Go's `encoding/pem` and Notary use them).
///
/// Notary's key files are PEM blocks with headers such as `role: targets`, `gun: <GUN>`,
/// `path: <key ID>` (export) and, for legacy OpenSSL encryption, `Proc-Type` and `DEK-Info`
/// (notary.md §4).
public struct PEMBlock: Sendable, Equatable {
    /// The label between `BEGIN ` and the dashes: `"ENCRYPTED PRIVATE KEY"`, `"CERTIFICATE"`, …
    public var type: String
    /// Headers in file order (`name: value`); names are case-sensitive, as in Go.
    public var headers: [(name: String, value: String)]
    /// The decoded base64 body.
    public var der: [UInt8]

    /// A block with `type` (no dashes), headers in the order given, and DER body `der`.
    public init(type: String, headers: [(name: String, value: String)] = [], der: [UInt8]) {
        self.type = type
        self.headers = headers
        self.der = der
    }

    /// The value of the first header called `name`, matched byte for byte in UTF-8 (as Go compares), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.utf8.elementsEqual(name.utf8) }?.value
    }

    /// Byte-for-byte equality of type, headers (in order) and DER — not Swift's canonical-equivalence `==`
    /// on String, under which U+212A KELVIN SIGN equals "K".
    public static func == (lhs: PEMBlock, rhs: PEMBlock) -> Bool {
        lhs.type.utf8.elementsEqual(rhs.type.utf8) && lhs.der == rhs.der
            && lhs.headers.count == rhs.headers.count
            && zip(lhs.headers, rhs.headers).allSatisfy {
                $0.name.utf8.elementsEqual($1.name.utf8) && $0.value.utf8.elementsEqual($1.value.utf8)
            }
    }

    /// Parses every PEM block in `text`, in order. Text outside blocks is ignored (as Go's
    /// `pem.Decode` skips it). Within a block, leading `name: value` lines are headers, up to the
    /// first line without a colon; an empty line after them is optional. CRLF line ends are accepted.
    ///
    /// The text is read Unicode scalar by scalar, as Go's `encoding/pem` reads bytes: lines end at
    /// U+000A, a header ends its name at the first U+003A, and the END line is compared byte for
    /// byte. (Read by `Character`, U+0600 before a colon forms one grapheme cluster with it and hides
    /// the colon; found by `scripts/fuzz keys`.)
    ///
    /// - Throws: `CryptoError(.malformedKey)` for a block without a matching END line or with
    ///   invalid base64, naming the block type.
    public static func parseAll(_ text: String) throws -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        let lines: [String] = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(Substring(line.last == "\r" ? line.dropLast() : line))
        }
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingWhitespace()
            index += 1
            let scalars = line.unicodeScalars
            guard line.utf8.starts(with: "-----BEGIN ".utf8), line.utf8.reversed().starts(with: "-----".utf8),
                  scalars.count >= 16 else { continue }
            let type = String(Substring(scalars.dropFirst(11).dropLast(5)))
            let endLine = Array("-----END \(type)-----".utf8)
            var headers: [(name: String, value: String)] = []
            var body = ""
            var inHeaders = true
            var closed = false
            while index < lines.count {
                let current = lines[index].trimmingWhitespace()
                index += 1
                if current.utf8.elementsEqual(endLine) { closed = true; break }
                if inHeaders {
                    let currentScalars = current.unicodeScalars
                    if let colon = currentScalars.firstIndex(of: ":") {
                        let name = Substring(currentScalars[..<colon]).trimmingWhitespace()
                        let value = Substring(currentScalars[currentScalars.index(after: colon)...]).trimmingWhitespace()
                        headers.append((name: name, value: value))
                        continue
                    }
                    inHeaders = false
                    if current.isEmpty { continue }
                }
                body += current
            }
            guard closed else { throw CryptoError(.malformedKey, "PEM block \(type) has no END line") }
            guard let data = Data(base64Encoded: body) else {
                throw CryptoError(.malformedKey, "PEM block \(type) has invalid base64")
            }
            blocks.append(PEMBlock(type: type, headers: headers, der: [UInt8](data)))
        }
        return blocks
    }

    /// Encodes the block with Go `pem.Encode`'s layout: BEGIN line; headers with `Proc-Type` first
    /// and the rest sorted by name (bytes), then one empty line (only if there are headers); base64 in
    /// 64-column lines; END line; trailing newline.
    public func encoded() -> String {
        var out = "-----BEGIN \(type)-----\n"
        if !headers.isEmpty {
            let isProcType = { (name: String) in name.utf8.elementsEqual("Proc-Type".utf8) }
            let procType = headers.filter { isProcType($0.name) }
            // Sorted by the names' bytes, as Go's sort.Strings; equal names keep their order.
            let rest = headers.filter { !isProcType($0.name) }.enumerated().sorted { left, right in
                let (a, b) = (left.element.name.utf8, right.element.name.utf8)
                if a.elementsEqual(b) { return left.offset < right.offset }
                return a.lexicographicallyPrecedes(b)
            }.map(\.element)
            for header in procType + rest { out += "\(header.name): \(header.value)\n" }
            out += "\n"
        }
        let base64 = Array(Data(der).base64EncodedString().utf8)
        var start = 0
        while start < base64.count {
            let end = min(start + 64, base64.count)
            out += String(decoding: base64[start..<end], as: UTF8.self) + "\n"
            start = end
        }
        out += "-----END \(type)-----\n"
        return out
    }
}
