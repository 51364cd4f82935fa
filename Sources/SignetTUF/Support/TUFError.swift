/// The one error type of the TUF layer.
///
/// Every refusal names the role, the check and the values involved (DESIGN.md, security rules), so
/// `signet verify` can print it as a one-line reason. `code` is stable for programs; the CLI maps it
/// to an exit code in `ExitStatus` (`invalidName` → 2, a name the user typed; everything else → 1,
/// `malformed` included: metadata that is not even JSON is not trusted).
public struct TUFError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Code: String, Sendable {
        /// Not JSON, wrong field types, missing fields, bad base64, unparsable time.
        case malformed
        /// A file larger than its bound (from the parent's `length` or a fixed limit), or a
        /// version, count or total over its documented maximum (`MetadataVersion`, `MetadataLimits`).
        case tooLarge
        /// `_type` differs from what the role requires.
        case wrongType
        /// Fewer distinct valid keys than the role's threshold, or a threshold below 1.
        case threshold
        /// A signature's key ID does not match its key.
        case badKeyID
        /// The metadata's `expires` is not after the instant it was judged at.
        case expired
        /// A version below the trusted one, a root that does not step by one, or a snapshot that
        /// leaves out a delegation the client trusted before (`TrustUpdater`).
        case rollback
        /// Bytes that do not match the hashes or length their parent lists.
        case hashMismatch
        /// A role, target or file that is not there.
        case notFound
        /// The root is not trusted: certificate checks, trust pinning, or a broken rotation chain.
        case untrustedRoot
        /// A role name, GUN or delegation that breaks Notary's naming rules, or a target name
        /// outside the paths its role may sign (`DelegationPaths`).
        case invalidName
        /// A key type or key bytes Signet cannot use.
        case badKey
    }

    public var code: Code
    /// The role the error is about (`root`, `targets/releases`, ...), when there is one.
    public var role: String?
    public var message: String

    public init(_ code: Code, _ message: String, role: String? = nil) {
        self.code = code
        self.message = message
        self.role = role
    }

    public var description: String { message }
}
