import SignetCrypto
import SignetTUF

/// An image as `signet verify` takes it: `GUN:TAG`, `GUN@sha256:HEX` or `GUN:TAG@sha256:HEX`.
///
/// The GUN may contain a registry port (`registry:5000/team/app:1.0`): a tag is only what follows
/// the last `:` after the last `/`.
package struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    package var gun: String
    package var tag: String?
    /// The 32-byte sha256 digest, when the reference names one.
    package var digest: [UInt8]?

    /// Parses a reference.
    /// - Throws: `ClientError(.usage)` naming what is wrong (no tag or digest, a digest that is not
    ///   `sha256:` and 64 hex digits, an invalid GUN).
    package init(_ text: String) throws {
        // Separators are found scalar by scalar: as Characters, a "@", "/" or ":" after a prepend
        // character (U+0600) is part of one grapheme cluster and goes unseen.
        var rest = Substring(text).unicodeScalars
        if let at = rest.firstIndex(of: "@") {
            digest = try ImageReference.parseDigest(String(Substring(rest[rest.index(after: at)...])))
            rest = rest[..<at]
        }
        let lastSlash = rest.lastIndex(of: "/") ?? rest.startIndex
        if let colon = rest[lastSlash...].lastIndex(of: ":") {
            let tagText = String(Substring(rest[rest.index(after: colon)...]))
            guard !tagText.isEmpty else { throw ClientError(.usage, "image \"\(text)\" has an empty tag") }
            tag = tagText
            rest = rest[..<colon]
        }
        guard tag != nil || digest != nil else {
            throw ClientError(.usage, "image \"\(text)\" needs a tag or a digest: GUN:TAG, GUN@sha256:HEX or GUN:TAG@sha256:HEX")
        }
        gun = String(Substring(rest))
        do { try GUN.validate(gun) } catch let error as TUFError {
            throw ClientError(.usage, "image \"\(text)\": \(error.message)")
        }
    }

    /// Parses `sha256:` followed by 64 hex digits into 32 bytes. Throws `ClientError(.usage)`.
    package static func parseDigest(_ text: String) throws -> [UInt8] {
        guard text.hasPrefix("sha256:") else {
            throw ClientError(.usage, "digest \"\(text)\" must start with sha256:")
        }
        let hex = text.dropFirst("sha256:".count)
        guard hex.count == 64, let bytes = Hex.decode(String(hex)) else {
            throw ClientError(.usage, "digest \"\(text)\" must be sha256: followed by 64 hex digits")
        }
        return bytes
    }

    package var description: String {
        var text = gun
        if let tag { text += ":\(tag)" }
        if let digest { text += "@sha256:\(Hex.encode(digest))" }
        return text
    }
}
