/// Which target paths a delegation's `paths` entry covers (TUF 1.0 §4.5 PATHPATTERN): shell-style
/// patterns matched one `/`-separated segment at a time, so `*` and `?` never match `/`
/// ("releases/*" covers "releases/a" but not "releases/a/b"), pattern and path must have the same
/// number of segments, and matching is case-sensitive, over Unicode scalars (python-tuf's
/// `fnmatch` per segment on POSIX).
///
/// Within a segment: `*` matches any run of characters, `?` one character, `[abc]` / `[a-z]` one
/// of a set, `[!…]` one outside it; a `[` without a closing `]` is literal.
public enum TUF1PathPattern {
    /// True when `pattern` covers `target`.
    public static func matches(_ target: String, pattern: String) -> Bool {
        let targetParts = target.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
        let patternParts = pattern.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false)
        guard targetParts.count == patternParts.count else { return false }
        return zip(targetParts, patternParts).allSatisfy { matchSegment(Array($0), Array($1)) }
    }

    /// `fnmatch` of one segment, iteratively with one backtrack point for the last `*` (linear
    /// in practice, at worst length × length: no exponential blow-up on hostile patterns).
    static func matchSegment(_ text: [Unicode.Scalar], _ pattern: [Unicode.Scalar]) -> Bool {
        var t = 0, p = 0
        var starP = -1, starT = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    starP = p; starT = t; p += 1
                    continue
                case "?":
                    t += 1; p += 1
                    continue
                case "[":
                    if let found = matchClass(text[t], pattern, from: p) {
                        if found.matched { t += 1; p = found.next; continue }
                    } else if text[t] == "[" {
                        t += 1; p += 1
                        continue
                    }
                default:
                    if pattern[p] == text[t] { t += 1; p += 1; continue }
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT += 1
            t = starT
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Matches `c` against the class starting at `pattern[open] == "["`.
    /// - Returns: whether it matched and the index after `]`; nil when the class is not closed
    ///   (then `[` is literal, as in Python's `fnmatch`).
    static func matchClass(_ c: Unicode.Scalar, _ pattern: [Unicode.Scalar], from open: Int) -> (matched: Bool, next: Int)? {
        var j = open + 1
        if j < pattern.count, pattern[j] == "!" { j += 1 }
        if j < pattern.count, pattern[j] == "]" { j += 1 }
        while j < pattern.count, pattern[j] != "]" { j += 1 }
        guard j < pattern.count else { return nil }
        var body = Array(pattern[(open + 1)..<j])
        var negate = false
        if body.first == "!" { negate = true; body.removeFirst() }
        var matched = false
        var k = 0
        while k < body.count {
            if k + 2 < body.count, body[k + 1] == "-" {
                if body[k].value <= c.value, c.value <= body[k + 2].value { matched = true }
                k += 3
            } else {
                if body[k] == c { matched = true }
                k += 1
            }
        }
        return (matched != negate, j + 1)
    }
}
