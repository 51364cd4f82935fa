/// Text helpers that replace full Foundation's `NSString` methods, so that Signet links only
/// `FoundationEssentials` (no ICU). Each keeps the behaviour of the method it replaces for the
/// inputs Signet passes it.
extension StringProtocol {
    /// The text without leading and trailing blanks: full Foundation's
    /// `trimmingCharacters(in: .whitespaces)` — Unicode spaces (category Zs), tab and U+200B,
    /// compared scalar by scalar.
    package func trimmingWhitespace() -> String { trimmingScalars(where: Self.isBlank) }

    /// The text without leading and trailing blanks and line breaks: full Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)` (adds U+000A–U+000D, U+0085, U+2028, U+2029).
    package func trimmingWhitespaceAndNewlines() -> String {
        trimmingScalars { Self.isBlank($0) || Self.isLineBreak($0) }
    }

    /// Every occurrence of `target` replaced by `replacement`, matched scalar by scalar (byte by
    /// byte in UTF-8), not by `Character` — so a `"` followed by a combining mark is still found,
    /// as full Foundation's `replacingOccurrences(of:with:)` finds it.
    package func replacingLiterally(_ target: String, with replacement: String) -> String {
        let pattern = Array(target.utf8)
        guard !pattern.isEmpty else { return String(self) }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index + pattern.count <= bytes.count, bytes[index] == pattern[0],
               bytes[index..<index + pattern.count].elementsEqual(pattern) {
                out.append(contentsOf: replacement.utf8)
                index += pattern.count
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The range of the last occurrence of `target`, matched byte by byte in UTF-8 (full
    /// Foundation's `range(of:options: .backwards)`), or nil. Overlapping occurrences count: the
    /// search runs from the end.
    package func lastRange(ofLiteral target: String) -> Range<Index>? {
        let pattern = Array(target.utf8)
        let bytes = Array(utf8)
        guard !pattern.isEmpty, pattern.count <= bytes.count else { return nil }
        var start = bytes.count - pattern.count
        while start >= 0 {
            if bytes[start..<start + pattern.count].elementsEqual(pattern) {
                let lower = utf8.index(startIndex, offsetBy: start)
                return lower..<utf8.index(lower, offsetBy: pattern.count)
            }
            start -= 1
        }
        return nil
    }

    private func trimmingScalars(where trim: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !trim($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !trim($0) })!
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[first...last])
        return String(view)
    }

    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    private static func isLineBreak(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}

extension BinaryInteger {
    /// The number in decimal, left-padded with zeros to `width` digits (`String(format: "%020llu")`).
    package func zeroPadded(_ width: Int) -> String {
        let digits = String(self)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }

    /// The number in lowercase hexadecimal, left-padded with zeros to `width` digits (`%04x`).
    package func zeroPaddedHex(_ width: Int) -> String {
        let digits = String(self, radix: 16)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
