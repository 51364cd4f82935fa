import FoundationEssentials
import SignetTUF

/// The check after a collection is copied (`StorageCopy`): the destination holds the same versions
/// as the source, and a client would trust the same thing in both.
///
/// - Versions: the destination's `history(gun:)` lists exactly the (role, version, sha256) the source
///   listed before the copy (counts equal, hashes equal).
/// - Trust: the client's verified update (`TrustUpdater`, TUF §5 as Notary's client runs it) from the
///   collection's first stored root — so every root rotation since is walked and checked —
///   through timestamp, snapshot, targets and delegations, read from each store's bytes
///   (`MetadataSourceFetcher`). Both must verify with the same versions and targets, or both fail
///   with the same reason (a collection whose timestamp or root expired on the source stays so).
package struct CollectionCheck {
    var source: any MetadataSource
    var destination: any MetadataStore
    var now: TUFTime

    /// One copied collection.
    package struct Outcome: Sendable {
        package var gun: String
        /// Stored versions copied, over all roles.
        package var versions: Int
        /// Distinct roles copied.
        package var roles: Int
        /// What verified: `root v2, timestamp v5, snapshot v4, targets v3 (2 targets), …`; nil when
        /// the collection does not verify (on the source either).
        package var verified: String?
        /// Why it does not verify, on the source as on the destination; nil when it verifies.
        package var notVerifiedReason: String?
        /// Server-held keys copied (and opened with the destination's passphrase); nil when keys
        /// were not copied (an import from notary-server).
        package var serverKeys: Int?
    }

    /// - Throws: `StorageMoveError(.verificationFailed)` naming the difference; `StorageError`
    ///   when a store cannot be read.
    func check(gun: String, expected: [StoredVersion]) throws -> Outcome {
        let copied = try destination.history(gun: gun)
        let want = expected.map { "\($0.role) v\($0.version) \($0.sha256.lowercased())" }
        let got = copied.map { "\($0.role) v\($0.version) \($0.sha256.lowercased())" }
        guard want == got else {
            let missing = Set(want).subtracting(got).sorted().prefix(3), extra = Set(got).subtracting(want).sorted().prefix(3)
            throw StorageMoveError(.verificationFailed, gun: gun,
                                   "\(gun): the destination holds \(got.count) versions, the source \(want.count) (missing: \(missing.joined(separator: ", ")); extra: \(extra.joined(separator: ", ")))")
        }
        let onSource = try Self.verify(source, gun: gun, history: expected, now: now)
        let onDestination = try Self.verify(destination, gun: gun, history: copied, now: now)
        guard onSource == onDestination else {
            throw StorageMoveError(.verificationFailed, gun: gun, "\(gun) verifies differently after the copy: source \(onSource), destination \(onDestination)")
        }
        var outcome = Outcome(gun: gun, versions: copied.count, roles: Set(copied.map(\.role)).count)
        switch onDestination {
        case .verified(let summary): outcome.verified = summary
        case .refused(let reason): outcome.notVerifiedReason = reason
        }
        return outcome
    }

    enum Verdict: Equatable, CustomStringConvertible {
        case verified(String)
        case refused(String)

        var description: String {
            switch self {
            case .verified(let summary): return "verified (\(summary))"
            case .refused(let reason): return "refused (\(reason))"
            }
        }
    }

    /// The verified update of `gun` in `store` from its first stored root; a `TUFError` is the
    /// verdict, a storage failure is thrown.
    static func verify(_ store: any MetadataSource, gun: String, history: [StoredVersion], now: TUFTime) throws -> Verdict {
        guard let firstRoot = history.filter({ $0.role == RoleName.root }).min(by: { $0.version < $1.version }),
              let rootBytes = try store.version(gun: gun, role: RoleName.root, version: firstRoot.version)?.bytes else {
            return .refused("no root is stored")
        }
        do {
            let collection = try TrustUpdater(gun: gun, now: now, trustedRoot: rootBytes).update(from: MetadataSourceFetcher(source: store, gun: gun))
            var parts = ["root v\(collection.root.version)", "timestamp v\(collection.timestamp.version)", "snapshot v\(collection.snapshot.version)"]
            for role in collection.roleOrder {
                guard let targets = collection.targets[role] else { continue }
                parts.append("\(role) v\(targets.version) (\(targets.targets.count) target\(targets.targets.count == 1 ? "" : "s"))")
            }
            return .verified(parts.joined(separator: ", "))
        } catch let error as TUFError {
            return .refused(error.message)
        }
    }
}
