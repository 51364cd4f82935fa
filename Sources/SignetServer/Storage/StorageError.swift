/// The one error type of the storage layer: what `MetadataStore` implementations (`FileStore`, a
/// networked database) throw, with the GUN and role it concerns.
///
/// `Routes/ErrorResponse.swift` (`NotaryError.init(_:)`) maps it to Notary's error envelope; no
/// other place turns storage failures into HTTP statuses. `reason` goes to the server log only
/// (paths, `strerror` text, SQL states; never secrets, never sent to clients).
package struct StorageError: Error, Sendable, CustomStringConvertible {
    package enum Kind: String, Sendable {
        /// A GUN (`role` nil) or role name that may not become a storage key (`GUN.validate`,
        /// `RoleName.validate`). Answered `400 INVALID_GUN` (detail: the reason) or
        /// `400 INVALID_ROLE` (detail: the role), as notary-server does.
        case invalidName
        /// A version not newer than the stored one, or one role twice in one commit (a concurrent
        /// publish won). Answered `400 VERSION`.
        case versionConflict
        /// The storage cannot be reached now (the storage directory is gone, the database is down):
        /// the same request may work later. Answered `503 UNAVAILABLE`.
        case unavailable
        /// The storage refused this server's login (a database's password authentication failed, or
        /// the user does not exist): not an outage, the configuration is wrong. Answered
        /// `503 UNAVAILABLE` like an outage; `signet serve` stops at start with the reason (exit 3).
        case loginRefused = "login refused"
        /// The storage cannot be used by this server as configured: a database whose schema is
        /// newer than this build knows, or whose server keys are encrypted with another passphrase.
        /// Refused when the store opens (`signet serve` exits 2 naming both sides); answered
        /// `500 UNKNOWN` if ever met while serving.
        case incompatible
        /// A read or write failed while the storage was reachable (disk full, fsync, rename).
        /// Answered `500 UPDATING`.
        case io
        /// Stored data that does not read back as it was written: a malformed index, a version the
        /// index lists missing or not matching its recorded sha256. Answered `500 UNKNOWN`.
        case corrupt
    }

    package var kind: Kind
    /// The GUN concerned; nil for store-wide failures (the changefeed of every GUN, opening).
    package var gun: String?
    /// The role concerned, when one is.
    package var role: String?
    /// What went wrong, for the server log.
    package var reason: String

    package init(_ kind: Kind, gun: String? = nil, role: String? = nil, _ reason: String) {
        self.kind = kind
        self.gun = gun
        self.role = role
        self.reason = reason
    }

    /// `storage unavailable (GUN example.com/app, role targets): …`.
    package var description: String {
        let names = [gun.map { "GUN \($0)" }, role.map { "role \($0)" }].compactMap { $0 }
        return "storage \(kind.rawValue)\(names.isEmpty ? "" : " (\(names.joined(separator: ", ")))"): \(reason)"
    }
}
