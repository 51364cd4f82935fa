import SignetTUF

/// Why no two (GUN, role) pairs can share a file in a trust dir, and the GUNs the client refuses
/// to make that true (issue 9, hole 9).
///
/// Notary's layout (reference §1.3) puts a collection at `tuf/<GUN>/` with its roles under
/// `metadata/<role>.json` and its staged changes under `changelist/`. GUN segments and role
/// segments both become directories, so in Notary GUN `X`'s delegation
/// `targets/releases/metadata/root` and GUN `X/metadata/targets/releases`'s `root` are the same
/// file, `tuf/X/metadata/targets/releases/metadata/root.json`: publishing that delegation in `X`
/// overwrites the other collection's trusted root (and deleting `X` deletes every GUN under it).
///
/// Signet keeps Notary's layout, so it reads the trust dirs Notary writes, and refuses, in the
/// client only, a GUN with a path segment after the first that is exactly `metadata` or
/// `changelist`. Then no collection directory lies inside another collection's `metadata/` or
/// `changelist/` directory, and since every path below `tuf/` splits uniquely into
/// `<GUN>/metadata/<role>.json` (the GUN is what comes before the first `metadata` segment), two
/// different pairs cannot name one file. Role names need no extra rule. The trust server stores
/// GUNs by their SHA-256 and accepts such GUNs, as notary-server does; the notary client can
/// still use them.
package enum TrustDirLayout {
    /// Directory names inside `tuf/<GUN>/` that a later GUN segment may not repeat.
    package static let reservedSegments = ["metadata", "changelist"]

    /// Throws `TUFError(.invalidName)` (exit 2) for a GUN that `GUN.validate` refuses, or whose
    /// segment after the first is `metadata` or `changelist` (compared as bytes).
    package static func validate(gun: String) throws {
        try GUN.validate(gun)
        // Split and compared as bytes (a Character split misses a "/" joined to a prepend character).
        for segment in gun.utf8.split(separator: UInt8(ascii: "/")).dropFirst() {
            guard let reserved = reservedSegments.first(where: { $0.utf8.elementsEqual(segment) }) else { continue }
            throw TUFError(.invalidName, "GUN \"\(RoleName.printable(gun))\" has a path segment \"\(reserved)\": in a trust dir "
                + "tuf/<GUN>/\(reserved)/ belongs to another collection, so this GUN's files could overwrite that one's; "
                + "Signet's client refuses it (see docs/migrating-from-notary.md)")
        }
    }
}
