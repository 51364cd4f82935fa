import SignetTUF

/// One collection of a `MetadataSource` as a `MetadataFetcher`, so that the client's verified update
/// (`TrustUpdater`) reads stored bytes exactly as a client would read them from `signet serve`'s
/// routes: `<role>.json` the newest version, `N.<role>.json` by version, `<role>.<sha256>.json` by hash.
struct MetadataSourceFetcher: MetadataFetcher {
    var source: any MetadataSource
    var gun: String

    /// - Throws: `TUFError(.tooLarge)` for a stored file over `request.maxLength`; the source's
    ///   `StorageError` unchanged.
    func fetch(_ request: MetadataRequest) throws -> [UInt8]? {
        let stored: StoredMetadata?
        switch request {
        case .current(let role, _): stored = try source.current(gun: gun, role: role)
        case .version(let version, let role, _): stored = try source.version(gun: gun, role: role, version: version)
        case .hash(let hex, let role, _): stored = try source.byHash(gun: gun, role: role, sha256Hex: hex)
        }
        guard let stored else { return nil }
        guard stored.bytes.count <= request.maxLength else {
            throw TUFError(.tooLarge, "\(request.fileName) of \(gun) is \(stored.bytes.count) bytes, over \(request.maxLength)")
        }
        return stored.bytes
    }
}
