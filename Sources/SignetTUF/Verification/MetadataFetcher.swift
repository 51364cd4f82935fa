/// Which metadata file to fetch, named as Notary's server routes name them (reference §2.1).
public enum MetadataRequest: Sendable, CustomStringConvertible {
    /// `<role>.json`, at most `maxLength` bytes.
    case current(role: String, maxLength: Int)
    /// `<version>.<role>.json` (used to walk root rotations).
    case version(Int64, role: String, maxLength: Int)
    /// `<role>.<sha256 hex>.json`.
    case hash(sha256Hex: String, role: String, maxLength: Int)

    public var role: String {
        switch self {
        case .current(let role, _), .version(_, let role, _), .hash(_, let role, _): return role
        }
    }

    public var maxLength: Int {
        switch self {
        case .current(_, let max), .version(_, _, let max), .hash(_, _, let max): return max
        }
    }

    /// The route file name: `targets.json`, `2.root.json`, `snapshot.<hex>.json`.
    public var fileName: String {
        switch self {
        case .current(let role, _): return "\(role).json"
        case .version(let version, let role, _): return "\(version).\(role).json"
        case .hash(let hex, let role, _): return "\(role).\(hex).json"
        }
    }

    public var description: String { fileName }
}

/// Where the update workflow gets metadata from: a trust server, a directory, a cache. The TUF
/// layer does no I/O itself (DESIGN.md).
public protocol MetadataFetcher {
    /// The file's bytes, or nil when it does not exist (HTTP 404, no such file).
    /// Implementations must not return more than `request.maxLength` bytes: throw
    /// `TUFError(.tooLarge)` instead. Other failures (network, I/O) are thrown as the
    /// implementation's own errors and passed through unchanged.
    func fetch(_ request: MetadataRequest) throws -> [UInt8]?
}
