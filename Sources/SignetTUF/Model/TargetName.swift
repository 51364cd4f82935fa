/// Which target names may be signed: the one rule for every way a name enters a changelist
/// (`signet add` by file, by digest, `--from-file`, `--oci-layout`; `signet remove`; changes
/// staged by other tools and applied at publish) and for the trust server's publish validation.
///
/// A target name is refused when it is
/// - empty (`signet remove GUN ""` would stage the removal of nothing in particular);
/// - more than `maxLength` (1024) bytes of UTF-8 — Docker tags are at most 128 characters, and
///   file targets of the Notary CLI are relative paths well under Linux's `PATH_MAX`;
/// - starting or ending with whitespace (any Unicode white space: `" "`, tab, U+00A0, U+3000, …),
///   which a terminal or a table cannot show (`signet add GUN " "` signed a blank tag);
/// - holding a control character (U+0000–U+001F, U+007F–U+009F), which could forge lines in
///   `list`, `status` or logs.
///
/// Spaces inside a name stay allowed (Notary file targets may have them). Notary 0.7 applies no
/// rule at all (its `add`/`remove` take any string); every target name in `../shared/fixtures`
/// (60 names, at most 36 bytes, Docker Hub's and Notary's and the TUF vectors') passes. Names
/// are compared as bytes (`ExactName`), never normalised.
public enum TargetName {
    /// Longest target name, in bytes of UTF-8.
    public static let maxLength = 1024

    /// Throws `TUFError(.invalidName)` naming the problem and showing the name (control
    /// characters escaped) when `name` breaks the rule above.
    public static func validate(_ name: String) throws {
        guard let first = name.unicodeScalars.first, let last = name.unicodeScalars.last else {
            throw TUFError(.invalidName, "the target name is empty")
        }
        let shown = RoleName.printable(name)
        guard name.utf8.count <= maxLength else {
            throw TUFError(.invalidName, "target name \"\(shown)\" is \(name.utf8.count) bytes, the limit is \(maxLength)")
        }
        if let control = name.unicodeScalars.first(where: isControl) {
            throw TUFError(.invalidName, "target name \"\(shown)\" contains the control character U+\(hex(control.value))")
        }
        guard !first.properties.isWhitespace, !last.properties.isWhitespace else {
            throw TUFError(.invalidName, "target name \"\(shown)\" starts or ends with white space")
        }
    }

    /// True when `name` passes `validate`.
    public static func isValid(_ name: String) -> Bool { (try? validate(name)) != nil }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
