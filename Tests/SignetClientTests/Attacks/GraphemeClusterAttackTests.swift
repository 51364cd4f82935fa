import SignetClient
import SignetTUF
import Testing

/// Grapheme clusters hiding a separator in what the client parses (see SignetTUFTests' suite of the same
/// name): the trust dir's reserved segments and image references are split as bytes.
@Suite("Attack: grapheme clusters in client names") struct ClientGraphemeClusterAttackTests {
    /// `team\u{0600}/metadata` hides the `/` from a Character split, so the reserved segment went unseen and
    /// the GUN's files landed inside another collection's `metadata/` directory.
    @Test func aHiddenSlashDoesNotHideAReservedSegment() {
        #expect {
            try TrustDirLayout.validate(gun: "example.com/team\u{0600}/metadata/x")
        } throws: { error in
            (error as? TUFError)?.message.contains("has a path segment \"metadata\"") == true
        }
    }

    @Test func imageReferenceSplitsTagAndDigestAsBytes() throws {
        let tagged = try ImageReference("registry:5000/team/app\u{0600}:1.0")
        #expect(tagged.gun == "registry:5000/team/app\u{0600}")
        #expect(tagged.tag == "1.0")
        let digest = String(repeating: "ab", count: 32)
        let pinned = try ImageReference("team/app\u{0600}@sha256:\(digest)")
        #expect(pinned.gun == "team/app\u{0600}")
        #expect(pinned.digest == [UInt8](repeating: 0xAB, count: 32))
    }
}
