/// Where a TUF 1.0 update reads the repository's metadata (a web server, in the CLI). The TUF
/// layer does no I/O itself (DESIGN.md).
public protocol TUF1Remote {
    /// The metadata file `fileName` (`TUF1Names.metadataFileName`: `timestamp.json`,
    /// `3.root.json`, `2.%3F.json`), or nil when the repository does not have it (HTTP 404 or
    /// 403, which python-tuf also reads as "no newer root").
    /// Implementations must not return more than `maxLength` bytes: throw `TUFError(.tooLarge)`.
    /// Other failures are thrown as the implementation's own errors and passed through.
    func metadata(_ fileName: String, maxLength: Int) throws -> [UInt8]?
}

/// The client's trusted metadata (the CLI's `--metadata-dir`): one file per role, stored exactly
/// as received.
public protocol TUF1LocalMetadata {
    /// The stored bytes of `role`, or nil when there are none. Over `maxLength` bytes throws
    /// `TUFError(.tooLarge)`.
    func load(_ role: String, maxLength: Int) throws -> [UInt8]?
    /// Stores `bytes` as `role`'s trusted metadata, replacing what was there (crash-safe).
    func store(_ role: String, _ bytes: [UInt8]) throws
}
