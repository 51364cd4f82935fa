import CCrypt
import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// An Apache htpasswd file with bcrypt entries (`user:$2y$05$…`, as `htpasswd -B` writes them),
/// verified with libxcrypt's `crypt_r(3)` and compared in constant time.
///
/// Other hash kinds (`$apr1$` MD5, `{SHA}`, plain) are refused when the file is loaded: they are
/// weak, and glibc's crypt does not know Apache's MD5 variant.
package struct HtpasswdFile: Sendable {
    /// User name → bcrypt hash.
    let entries: [String: String]
    /// A hash of the same kind, for unknown users, so that their answer takes as long.
    let decoy: String

    /// A file problem, naming the file and line (never a hash).
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Reads `path`. Blank lines and `#` comments are skipped.
    /// - Throws: `Problem` for an unreadable file, a line without `user:hash`, a non-bcrypt hash, a
    ///   duplicate user, or a file without entries.
    package init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(description: "cannot read htpasswd file \(path)") }
        var entries: [String: String] = [:]
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespaceAndNewlines()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw Problem(description: "\(path) line \(index + 1): expected user:hash")
            }
            let user = String(line[..<colon])
            let hash = String(line[line.index(after: colon)...])
            guard ["$2y$", "$2b$", "$2a$"].contains(where: { hash.hasPrefix($0) }), hash.utf8.count == 60 else {
                throw Problem(description: "\(path) line \(index + 1): the entry for \(user) is not a bcrypt hash; create it with htpasswd -B")
            }
            guard entries[user] == nil else { throw Problem(description: "\(path) line \(index + 1): user \(user) appears twice") }
            entries[user] = hash
        }
        guard let first = entries.values.sorted().first else { throw Problem(description: "htpasswd file \(path) has no entries") }
        self.entries = entries
        self.decoy = first
    }

    /// True iff `user` is in the file and `password` matches its hash. Unknown users cost the
    /// same bcrypt work as known ones.
    package func verify(user: String, password: String) -> Bool {
        guard !password.utf8.contains(0), !user.isEmpty else { return false }
        let hash = ExactName.value(in: entries, for: user) ?? decoy
        guard let computed = Self.crypt(password, setting: hash) else { return false }
        let matches = constantTimeEquals(Array(computed.utf8), Array(hash.utf8))
        return matches && ExactName.value(in: entries, for: user) != nil
    }

    /// `crypt_r(3)` with a heap-allocated `crypt_data` (about 32 KiB, too big for a thread's stack).
    static func crypt(_ phrase: String, setting: String) -> String? {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer {
            UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
            data.deallocate()
        }
        UnsafeMutableRawPointer(data).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(phrase, setting, data) else { return nil }
        let text = String(cString: result)
        return text.hasPrefix("*") ? nil : text
    }
}
