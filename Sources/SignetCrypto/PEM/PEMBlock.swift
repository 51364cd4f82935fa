import FoundationEssentials

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

    /// The value of the first header called `name` (exact match), or nil.
    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    public static func == (lhs: PEMBlock, rhs: PEMBlock) -> Bool {
        lhs.type == rhs.type && lhs.der == rhs.der
            && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// Parses every PEM block in `text`, in order. Text outside blocks is ignored (as Go's
    /// `pem.Decode` skips it). Within a block, leading `name: value` lines are headers, up to the
    /// first line without a colon; an empty line after them is optional. CRLF line ends are accepted.
    ///
    /// - Throws: `CryptoError(.malformedKey)` for a block without a matching END line or with
    ///   invalid base64, naming the block type.
    public static func parseAll(_ text: String) throws -> [PEMBlock] {
        var blocks: [PEMBlock] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        var index = 0
        while index < lines.count {
            let line = lines[index].trimmingWhitespace()
            index += 1
            guard line.hasPrefix("-----BEGIN "), line.hasSuffix("-----"), line.count >= 16 else { continue }
            let type = String(line.dropFirst(11).dropLast(5))
            let endLine = "-----END \(type)-----"
            var headers: [(name: String, value: String)] = []
            var body = ""
            var inHeaders = true
            var closed = false
            while index < lines.count {
                let current = lines[index].trimmingWhitespace()
                index += 1
                if current == endLine { closed = true; break }
                if inHeaders {
                    if let colon = current.firstIndex(of: ":") {
                        let name = current[..<colon].trimmingWhitespace()
                        let value = current[current.index(after: colon)...].trimmingWhitespace()
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
    /// and the rest sorted by name, then one empty line (only if there are headers); base64 in
    /// 64-column lines; END line; trailing newline.
    public func encoded() -> String {
        var out = "-----BEGIN \(type)-----\n"
        if !headers.isEmpty {
            let procType = headers.filter { $0.name == "Proc-Type" }
            let rest = headers.filter { $0.name != "Proc-Type" }.enumerated()
                .sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }.map(\.element)
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
