import FoundationEssentials
import SignetTUF

extension TrustServer {
    /// The role gauges of `/metrics` (issue 17), in the text exposition format (version 0.0.4):
    /// `signet_role_expires_timestamp_seconds{gun,role}` (the role's `expires`, seconds since
    /// 1970) and `signet_role_version{gun,role}`, for the current root, targets, snapshot,
    /// timestamp and each delegation the current snapshot lists, of every stored GUN.
    ///
    /// The label sets are bounded by what is stored: GUNs come from `StoredCollections` (never
    /// from a request), roles from the stored snapshot; a GUN nobody published has no series.
    /// Label values are escaped as the format requires (`\`, `"`, line feed). A GUN whose files
    /// cannot be read is left out (and logged); the counters are still served.
    func roleGauges() -> String {
        var expires = "# HELP signet_role_expires_timestamp_seconds When the role's current metadata expires, seconds since 1970.\n"
        expires += "# TYPE signet_role_expires_timestamp_seconds gauge\n"
        var versions = "# HELP signet_role_version The version of the role's current metadata.\n"
        versions += "# TYPE signet_role_version gauge\n"
        let guns: [String]
        do { guns = try collections.list(store).guns } catch {
            logger.error("metrics: cannot list the stored collections: \(error)")
            return expires + versions
        }
        for gun in guns where allows(gun: gun) {
            do {
                for (role, parsed) in try currentRoles(gun: gun) {
                    let labels = #"gun="\#(Self.labelValue(gun))",role="\#(Self.labelValue(role))""#
                    expires += "signet_role_expires_timestamp_seconds{\(labels)} \(parsed.expires.seconds)\n"
                    versions += "signet_role_version{\(labels)} \(parsed.version)\n"
                }
            } catch {
                logger.error("metrics: cannot read the roles of \(gun): \(error)")
            }
        }
        return expires + versions
    }

    /// The current version of each role of `gun` with its `expires` and `version`: root, targets,
    /// snapshot, timestamp, then the delegations the current snapshot lists (byte order); roles
    /// without a stored or parseable file are left out.
    /// - Throws: `StorageError` from the store.
    func currentRoles(gun: String) throws -> [(role: String, parsed: ParsedExpiry)] {
        var roles = [RoleName.root, RoleName.targets, RoleName.snapshot, RoleName.timestamp]
        if let snapshotFile = try store.current(gun: gun, role: RoleName.snapshot),
           let snapshot = try? Snapshot(signed: MetadataFile.parse(snapshotFile.bytes, role: RoleName.snapshot).signed) {
            let delegations = snapshot.meta.keys.filter { $0.hasPrefix(RoleName.targets + "/") && (try? RoleName.validate($0)) != nil }
            roles += delegations.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        }
        var out: [(role: String, parsed: ParsedExpiry)] = []
        for role in roles {
            guard let file = try store.current(gun: gun, role: role), let parsed = parsedExpiry(file) else { continue }
            out.append((role, parsed))
        }
        return out
    }

    /// A Prometheus label value: `\` → `\\`, `"` → `\"`, line feed → `\n`.
    static func labelValue(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
