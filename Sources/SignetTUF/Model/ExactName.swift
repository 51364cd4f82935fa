/// How names are compared: GUNs, role names, token scope names, policy identities, target names
/// and delegation path prefixes are equal only when their UTF-8 bytes are equal, and a prefix is
/// a prefix of the bytes.
///
/// Why: Swift's `String` `==`, `hasPrefix`, `Hashable` (so `Dictionary` keys and `Set`) follow
/// Unicode canonical equivalence, so `café` written with U+00E9 (NFC) equals `cafe` + U+0301
/// (NFD). Storage, the file system, the trust dir and Notary itself (Go compares strings as
/// bytes; `strings.HasPrefix` for delegation paths, `tuf/data/roles.go`) treat them as two
/// different names. A check done with `String` semantics and an effect done with byte semantics
/// let a token, a policy rule, a root certificate's CN or a delegation's `paths` granted for one
/// name apply to another (issue 9, hole 8).
///
/// Signet does not restrict GUNs to ASCII (Notary accepts any GUN without `*`, reference §2.9,
/// and Signet reads and serves what Notary wrote); it compares them exactly instead. Role names
/// are ASCII by `RoleName.validate`, so `==` on them is already byte-exact.
public enum ExactName {
    /// True when `a` and `b` have the same UTF-8 bytes.
    public static func equal<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        a.utf8.elementsEqual(b.utf8)
    }

    /// True when the UTF-8 bytes of `name` start with those of `prefix` (`""` is a prefix of
    /// everything), as Go's `strings.HasPrefix`.
    public static func hasPrefix<A: StringProtocol, B: StringProtocol>(_ name: A, _ prefix: B) -> Bool {
        name.utf8.starts(with: prefix.utf8)
    }

    /// The key of `dictionary` whose bytes equal `name`, or nil. A `[String: V]` finds a key by
    /// canonical equivalence; this accepts the key it found only when it is byte-equal.
    public static func storedKey<V>(in dictionary: [String: V], for name: String) -> String? {
        guard let index = dictionary.index(forKey: name) else { return nil }
        let key = dictionary[index].key
        return equal(key, name) ? key : nil
    }

    /// The value stored under exactly `name` (byte-equal key), or nil.
    public static func value<V>(in dictionary: [String: V], for name: String) -> V? {
        guard let index = dictionary.index(forKey: name), equal(dictionary[index].key, name) else { return nil }
        return dictionary[index].value
    }

    /// A name as a `Dictionary` key or `Set` element that compares and hashes its UTF-8 bytes.
    public struct Key: Hashable, Sendable {
        public let bytes: [UInt8]
        public init<S: StringProtocol>(_ name: S) { bytes = Array(name.utf8) }
    }
}
