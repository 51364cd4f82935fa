/// An ordered list of header fields with case-insensitive name lookup (RFC 9110 §5.1).
///
/// Order and the original spelling of names are preserved, and a name may repeat (each `add` appends a
/// field). Iterating yields `(name, value)` pairs in wire order.
public struct HTTPHeaders: Sendable, Sequence, Equatable, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    public typealias Element = (name: String, value: String)

    private var fields: [(name: String, value: String)] = []

    public init() {}

    /// Builds headers from `(name, value)` pairs, keeping their order.
    public init(_ fields: [(String, String)]) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The first value of the field called `name` (any case), or nil.
    ///
    /// Setting replaces every field with that name by one field (at the position of the first one, or at
    /// the end); setting nil removes them all.
    public subscript(name: String) -> String? {
        get { fields.first { Self.namesMatch($0.name, name) }?.value }
        set {
            guard let newValue else { remove(name); return }
            if let index = fields.firstIndex(where: { Self.namesMatch($0.name, name) }) {
                fields[index].value = newValue
                var next = index + 1
                while next < fields.count {
                    if Self.namesMatch(fields[next].name, name) { fields.remove(at: next) } else { next += 1 }
                }
            } else {
                fields.append((name: name, value: newValue))
            }
        }
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Every value of the field called `name` (any case), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.namesMatch($0.name, name) }.map(\.value)
    }

    /// True when a field called `name` (any case) is present.
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.namesMatch($0.name, name) }
    }

    /// Removes every field called `name` (any case).
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.namesMatch($0.name, name) }
    }

    /// True when a comma-separated field (such as `Connection`) lists `token`, compared case-insensitively.
    public func hasToken(_ token: String, in name: String) -> Bool {
        values(for: name).contains { value in
            Self.listElements(value).contains { Self.namesMatch($0, token) }
        }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { namesMatch($0.name, $1.name) && $0.value == $1.value }
    }

    public var description: String {
        "[" + fields.map { "\($0.name): \($0.value)" }.joined(separator: ", ") + "]"
    }

    /// The elements of a comma-separated field value (RFC 9110 §5.6.1): split at "," bytes, zero-length
    /// pieces omitted, each trimmed of SP and HTAB (`trimmingHTTPWhitespace`). Bytes, not
    /// `Character`s: U+0600 before a "," forms one grapheme cluster with it.
    static func listElements(_ value: String) -> [String] {
        value.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0).trimmingHTTPWhitespace()) }
    }

    /// ASCII case-insensitive comparison without allocating.
    static func namesMatch<A: StringProtocol, B: StringProtocol>(_ a: A, _ b: B) -> Bool {
        let x = a.utf8, y = b.utf8
        guard x.count == y.count else { return false }
        for (p, q) in zip(x, y) where p != q {
            let lp = (p >= 65 && p <= 90) ? p | 0x20 : p
            let lq = (q >= 65 && q <= 90) ? q | 0x20 : q
            if lp != lq { return false }
        }
        return true
    }
}

extension StringProtocol {
    /// The string without leading and trailing spaces and tabs (HTTP's OWS), trimmed scalar by scalar:
    /// as a `Character`, a space followed by a combining mark is not `" "`.
    func trimmingHTTPWhitespace() -> Substring {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return Substring(scalars[first...last])
    }
}
