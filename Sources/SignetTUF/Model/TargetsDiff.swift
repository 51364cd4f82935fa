import SignetCrypto

/// What one version of a targets role changed against the version before it (issue 17: `signet
/// history` and the server's history page both take it from here): tags added, removed or whose
/// file meta changed (digest, size or custom), and delegations added, removed or changed (keys,
/// paths or threshold). Names are compared as bytes (`ExactName`).
public enum TargetsDiff {
    /// What one version changed for one tag.
    public struct TagChange: Sendable, Equatable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public var tag: String
        public var kind: Kind
        /// `sha256:HEX` before (nil when added) and after (nil when removed).
        public var before: String?
        public var after: String?
        /// Length in bytes after the change (nil when removed).
        public var size: Int64?
    }

    /// What one version changed for one delegation it lists.
    public struct DelegationChange: Sendable, Equatable {
        public enum Kind: String, Sendable { case added, removed, changed }
        public var role: String
        public var kind: Kind
        /// Canonical key IDs (sorted) and paths after the change (empty when removed).
        public var keyIDs: [String]
        public var paths: [String]
    }

    /// `sha256:HEX` of a target, `-` when it has no sha256.
    public static func digest(_ meta: FileMeta) -> String {
        meta.hashes["sha256"].map { "sha256:" + Hex.encode($0) } ?? "-"
    }

    /// Tag changes from `old` (nil: the first version) to `new`, sorted by tag bytes.
    public static func tags(from old: Targets?, to new: Targets) -> [TagChange] {
        let before = old?.targets ?? [:]
        var changes: [TagChange] = []
        for (tag, meta) in new.targets {
            if let earlier = ExactName.value(in: before, for: tag) {
                if earlier != meta { changes.append(TagChange(tag: tag, kind: .changed, before: digest(earlier), after: digest(meta), size: meta.length)) }
            } else {
                changes.append(TagChange(tag: tag, kind: .added, before: nil, after: digest(meta), size: meta.length))
            }
        }
        for (tag, meta) in before where ExactName.value(in: new.targets, for: tag) == nil {
            changes.append(TagChange(tag: tag, kind: .removed, before: digest(meta), after: nil, size: nil))
        }
        return changes.sorted { Array($0.tag.utf8).lexicographicallyPrecedes(Array($1.tag.utf8)) }
    }

    /// Delegation changes from `old` to `new`, in `new`'s order, removals last.
    public static func delegations(from old: Targets?, to new: Targets) -> [DelegationChange] {
        func summary(_ targets: Targets, _ entry: DelegatedRole) -> (keys: [String], paths: [String]) {
            (Set(targets.delegations.keys(of: entry).values.map { (try? $0.canonicalID()) ?? $0.id }).sorted(), entry.paths ?? [])
        }
        var changes: [DelegationChange] = []
        for entry in new.delegations.roles {
            let now = summary(new, entry)
            if let old, let earlier = old.delegations.roles.first(where: { ExactName.equal($0.name, entry.name) }) {
                let then = summary(old, earlier)
                if then.keys != now.keys || then.paths != now.paths || earlier.threshold != entry.threshold {
                    changes.append(DelegationChange(role: entry.name, kind: .changed, keyIDs: now.keys, paths: now.paths))
                }
            } else {
                changes.append(DelegationChange(role: entry.name, kind: .added, keyIDs: now.keys, paths: now.paths))
            }
        }
        for entry in old?.delegations.roles ?? [] where !new.delegations.roles.contains(where: { ExactName.equal($0.name, entry.name) }) {
            changes.append(DelegationChange(role: entry.name, kind: .removed, keyIDs: [], paths: []))
        }
        return changes
    }
}

extension MetadataLimits {
    /// Versions of one role a history (`signet history`, the server's history page) reads.
    public static let maxHistoryVersions: Int64 = 10_000
}
