/// A root pin that follows the collection's root rotations (TUF 1.0 §5.3: a client keeps trusting
/// the root it started from through every version that root signed over; Notary 0.7 does not, so
/// its pins break at each `key rotate GUN root`).
///
/// A root that is already verified on its own (`RootRules`) is trusted under a pin when:
/// 1. it meets the pin itself (`RootPin.check`: a key matching the pin is a valid root key and
///    signed it); or
/// 2. an earlier version N meets the pin — `N.root.json`, verified on its own (`RootRules`, its
///    certificates' dates not judged) and signed by a key matching the pin — and every version
///    N+1 … up to the root is signed by a threshold of its predecessor's keys and by its own
///    (`RootRotation.step`, the same step a rotation walk takes), each file of exactly the version
///    its name says.
///
/// Versions are searched downwards from the root's version − 1 and the search stops at the first
/// version that meets the pin, at version 1, at a version the source does not have, or at
/// `MetadataLimits.maxRootRotations` versions back; at most `RootRotation.maxRootChainBytes` bytes
/// of root metadata are read (each fetch asks for no more than what is left). A root that meets
/// neither is refused with `TUFError(.untrustedRoot)` naming the pin and every version tried. A
/// version in between that does not verify (an attacker's `N.root.json` not signed by N−1's
/// threshold) stops the walk with the step's error, so nothing after it is trusted.
struct PinnedRootChain {
    var pin: RootPin
    /// The GUN, the instant judged, and the byte budget.
    var rotation: RootRotation

    /// - Parameter target: the root to trust (already verified on its own).
    /// - Returns: `target` with `pinnedVersion` set to the version that met the pin.
    /// - Throws: `TUFError(.untrustedRoot)` when no version meets the pin; the step's errors
    ///   (`.threshold`, `.untrustedRoot`, `.rollback`) for a broken chain; `.tooLarge` past the
    ///   byte budget; parse errors of a fetched root; the fetcher's errors.
    func anchor(_ target: TrustUpdater.TrustedRoot, fetcher: some MetadataFetcher) throws -> TrustUpdater.TrustedRoot {
        let gun = rotation.gun, now = rotation.now
        let targetFile = try MetadataFile.parse(target.bytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
        let mismatch: TUFError
        do {
            try pin.check(target.root, file: targetFile, gun: gun, at: now)
            var pinned = target
            pinned.pinnedVersion = target.root.version
            return pinned
        } catch let error as TUFError where error.code == .untrustedRoot {
            mismatch = error
        }

        // Search downwards for the newest version that meets the pin, holding the versions passed
        // over (bounded by the byte budget) to verify them upwards afterwards.
        var budget = rotation.maxRootChainBytes
        var passed: [(version: Int64, bytes: [UInt8])] = []
        var tried = [target.root.version]
        var stop: String?
        var anchor: TrustUpdater.TrustedRoot?
        let lowest = max(1, target.root.version - MetadataLimits.maxRootRotations)
        var version = target.root.version - 1
        while version >= lowest {
            let limit = min(MetadataLimits.maxRootBytes, budget)
            let fetched: [UInt8]?
            do { fetched = try fetcher.fetch(.version(version, role: RoleName.root, maxLength: limit)) } catch let error as TUFError where error.code == .tooLarge && limit < MetadataLimits.maxRootBytes {
                throw TUFError(.tooLarge, "following the root chain of \(gun) to the pinned \(pin.description) needs more than \(rotation.maxRootChainBytes) bytes of root metadata; \(version).root.json is over the \(limit) bytes left", role: RoleName.root)
            }
            guard let bytes = fetched else {
                stop = "\(version).root.json not found"
                break
            }
            budget -= min(bytes.count, budget)
            tried.append(version)
            let file = try MetadataFile.parse(bytes, role: RoleName.root, maxLength: MetadataLimits.maxRootBytes)
            let root = try Root(signed: file.signed)
            guard root.version == version else {
                throw TUFError(.rollback, "\(version).root.json has version \(root.version), expected \(version)", role: RoleName.root)
            }
            if Self.meets(pin, root: root, file: file, gun: gun, at: now) {
                anchor = TrustUpdater.TrustedRoot(root: root, bytes: bytes, pinnedVersion: version)
                break
            }
            passed.append((version, bytes))
            version -= 1
        }
        if anchor == nil && stop == nil && lowest > 1 { stop = "not searched below v\(lowest) (at most \(MetadataLimits.maxRootRotations) versions back)" }
        guard var current = anchor else {
            let versions = tried.map { "v\($0)" }.joined(separator: ", ")
            throw TUFError(.untrustedRoot, "\(mismatch.message); no root version of \(gun) meets the pin (versions tried: \(versions)\(stop.map { "; \($0)" } ?? ""))", role: RoleName.root)
        }
        // Upwards: each version signed by its predecessor's threshold and its own.
        for step in passed.reversed() {
            current = try rotation.step(step.bytes, version: step.version, after: current)
        }
        current = try rotation.step(target.bytes, version: target.root.version, after: current)
        var pinned = target
        pinned.pinnedVersion = current.pinnedVersion
        return pinned
    }

    /// Whether root `file` verifies on its own (`RootRules`, certificates' dates not judged) and
    /// meets `pin`.
    private static func meets(_ pin: RootPin, root: Root, file: MetadataFile, gun: String, at now: TUFTime) -> Bool {
        guard (try? RootRules.verify(file, gun: gun, at: now, checkExpiry: false)) != nil else { return false }
        return (try? pin.check(root, file: file, gun: gun, at: now)) != nil
    }
}
