import FoundationEssentials
import SignetTUF

/// Where a read command (`verify`, `list`, `lookup`, `delegation list`) gets the trust data of a
/// collection, and the one way it is judged: the full verified update (TUF specification §5,
/// Notary's client update) against an optional root pin, with expiry judged at a given instant.
package enum TrustSource {
    /// Offline: a directory of role files named as the server's routes name them (`root.json`,
    /// `timestamp.json`, `snapshot.json`, `targets.json`, `targets/releases.json`, `N.root.json`),
    /// read through `DirectoryFetcher`; nothing is cached.
    case directory(URL)
    /// Online: the verified update from the collection's server, cached in the trust dir; when
    /// the server cannot be reached the cached trust data is used, with a warning
    /// (`ClientRepository.update`).
    case server(ClientRepository)

    /// Offline from `path`.
    /// - Throws: `ClientError(.usage)` (exit 2) when `path` is not a directory.
    package static func directory(path: String) throws -> TrustSource {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory else {
            throw ClientError(.usage, "--metadata-dir \(path) is not a directory")
        }
        return .directory(URL(fileURLWithPath: path))
    }

    /// The verified collection `gun` (its warnings in `warnings`, for the caller to print).
    /// - Parameters:
    ///   - pin: the root pin (`RootPin.load`); nil = trust on first use (or the cached root).
    ///   - now: the instant expiry is judged at.
    ///   - pinFollowsRotation: a pin met by an earlier root version is followed through the signed
    ///     root chain to the current root (`TrustUpdater.pinFollowsRotation`); the CLI's pins do.
    /// - Throws: `TUFError` when verification fails (expired, rolled back, threshold, pin not
    ///   matched), `ClientError` for unreadable or missing files and unreachable servers.
    package func load(gun: String, pin: RootPin?, now: TUFTime, pinFollowsRotation: Bool = false) throws -> VerifiedCollection {
        switch self {
        case .directory(let directory):
            return try TrustUpdater(gun: gun, now: now, pin: pin, pinFollowsRotation: pinFollowsRotation).update(from: DirectoryFetcher(directory: directory))
        case .server(let repository):
            return try repository.update(pin: pin, now: now, pinFollowsRotation: pinFollowsRotation)
        }
    }

    /// Whether this source has no trusted root of `gun` yet (a directory never has one: nothing is
    /// cached), so that trust on first use would decide (`TrustPinning.disableTOFU`).
    package func isFirstUse(gun: String) -> Bool {
        switch self {
        case .directory: return true
        case .server(let repository): return repository.trustDir.cachedFiles(gun)[RoleName.root] == nil
        }
    }
}
