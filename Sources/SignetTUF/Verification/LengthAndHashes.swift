import SignetCrypto

/// Whether fetched bytes are the file their parent describes: its length and its hashes (TUF 1.0
/// §5.5.2, §5.6.2 and §5.7.3 for targets; Notary reference §3.6, §3.7). Both dialects check bytes
/// here; they differ only in what the parent must list.
///
/// - Algorithms Signet computes: `sha256` and `sha512` (the spec's and Notary's). Every listed hash
///   of these must match.
/// - Another algorithm is ignored in Notary's dialect (Notary skips what it does not know, but one
///   of the two must be listed) and refused in TUF 1.0's, where every listed hash must be checked
///   (python-tuf: "Unsupported algorithm"), so a parent listing only an unknown algorithm vouches
///   for nothing.
/// - Length is compared exactly when the parent lists it. TUF 1.0 lets snapshot and timestamp
///   leave out `length` and `hashes` (§4.4, §4.6): then the fetch was bounded by a fixed limit and
///   the version check is what ties the file to its parent.
public enum LengthAndHashes {
    /// What a hash algorithm that Signet does not compute means.
    public enum UnknownAlgorithm: Sendable {
        /// Skipped (Notary).
        case ignored
        /// The check fails (TUF 1.0).
        case refused
    }

    /// Throws unless `bytes` has `length` (when given) and every hash in `hashes` (algorithm →
    /// digest bytes) matches.
    /// - Parameters:
    ///   - requireHash: at least one of sha256 and sha512 must be listed.
    ///   - role: the file's role (or target name), for messages; `parent`: who listed it.
    /// - Throws: `TUFError(.hashMismatch)` naming the role, the parent and the value that differs,
    ///   an unknown algorithm under `.refused`, or no usable hash under `requireHash`.
    public static func check(_ bytes: [UInt8], length: Int64?, hashes: [String: [UInt8]], requireHash: Bool,
                             unknown: UnknownAlgorithm, role: String, parent: String) throws {
        if let length, Int64(bytes.count) != length {
            throw TUFError(.hashMismatch, "\(role) is \(bytes.count) bytes but \(parent) lists length \(length)", role: role)
        }
        if unknown == .refused { try requireKnownAlgorithms(hashes, role: role, parent: parent) }
        var checked = 0
        if let expected = hashes["sha256"] {
            let actual = Digest.sha256(bytes)
            guard actual == expected else {
                throw TUFError(.hashMismatch, "\(role) sha256 is \(Hex.encode(actual)) but \(parent) lists \(Hex.encode(expected))", role: role)
            }
            checked += 1
        }
        if let expected = hashes["sha512"] {
            let actual = Digest.sha512(bytes)
            guard actual == expected else {
                throw TUFError(.hashMismatch, "\(role) sha512 does not match the hash \(parent) lists", role: role)
            }
            checked += 1
        }
        guard checked > 0 || !requireHash else {
            throw TUFError(.hashMismatch, "\(parent) lists no sha256 or sha512 hash for \(role)", role: role)
        }
    }

    /// Throws `TUFError(.hashMismatch)` when `hashes` lists an algorithm other than sha256 and
    /// sha512 (so a client can refuse before downloading what it could not check).
    public static func requireKnownAlgorithms(_ hashes: [String: [UInt8]], role: String, parent: String) throws {
        if let other = hashes.keys.sorted().first(where: { $0 != "sha256" && $0 != "sha512" }) {
            throw TUFError(.hashMismatch, "\(parent) lists \(role) with hash algorithm \"\(RoleName.printable(other))\", which Signet cannot check (sha256 and sha512 only)", role: role)
        }
    }
}
