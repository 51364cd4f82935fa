import SignetTUF
import Testing

/// Grapheme clusters hiding a separator. Swift's `String.split(separator:)` and `firstIndex(of:)` work on
/// `Character`s (extended grapheme clusters), and a Unicode "prepend" character such as U+0600 ARABIC NUMBER
/// SIGN forms one cluster with the character after it. So `"a\u{0600}/../b"` has no `/` Character at all,
/// and a segment check written with `split(separator: "/")` saw one harmless segment where the file system
/// sees `a\u{0600}`, `..` and `b`: the GUN names the trust-dir directory of GUN `b` (a hostile GUN writes
/// its root onto another collection's trust-on-first-use pin; the path-confusion class of CVE-2021-41131).
/// Found while fixing the `scripts/fuzz keys` finding of the same kind in PEM headers. Names are split as
/// bytes, as Notary's Go code splits them.
@Suite("Attack: grapheme clusters in names") struct GraphemeClusterAttackTests {
    @Test(arguments: [
        "a\u{0600}/../b",
        "\u{0600}/..",
        "docker.io/x\u{0600}/../library/alpine",
        "a\u{0600}/./b",
        "a\u{0600}//b",
        "a/b\u{0600}/",
    ])
    func aHiddenSlashDoesNotHideADotDotOrEmptySegment(gun: String) {
        #expect {
            try GUN.validate(gun)
        } throws: { error in
            guard let error = error as? TUFError else { return false }
            return error.code == .invalidName && error.message.contains("has an empty, '.' or '..' path segment")
        }
    }

    /// The same text without the prepend character was always refused; with it, names that are fine stay fine.
    @Test func plainNamesWithPrependCharactersStayValid() throws {
        try GUN.validate("docker.io/x\u{0600}/alpine")
        try GUN.validate("\u{0600}")
    }

    /// Delegation names are bytes from a small ASCII set; a prepend character before `/` is refused, not split.
    @Test func delegationNamesRefuseAHiddenSlash() {
        #expect(throws: TUFError.self) { try RoleName.validate("targets/a\u{0600}/b") }
    }
}
