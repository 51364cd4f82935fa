import FoundationEssentials
import SignetTUF

/// The one error type of the server layer: a Notary `errcode` (reference §2.4) with the HTTP status
/// it maps to, the fixed message Notary sends for that code, and an optional `detail`.
///
/// `Routes/ErrorResponse.swift` turns it (and `StorageError`) into the JSON envelope; nothing else
/// maps errors to statuses. Access control answers with the same envelope (`UNAUTHORIZED`,
/// `DENIED`, `TOOMANYREQUESTS`, docker/distribution's errcode descriptors).
package struct NotaryError: Error, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
        case noStorage = "NO_STORAGE"
        case noFilename = "NO_FILENAME"
        case invalidRole = "INVALID_ROLE"
        case malformedJSON = "MALFORMED_JSON"
        case updating = "UPDATING"
        case version = "VERSION"
        case metadataNotFound = "METADATA_NOT_FOUND"
        case invalidUpdate = "INVALID_UPDATE"
        case malformedUpload = "MALFORMED_UPLOAD"
        case genericNotFound = "GENERIC_NOT_FOUND"
        case invalidGUN = "INVALID_GUN"
        case invalidParameters = "INVALID_PARAMETERS"
        case unknown = "UNKNOWN"
        case unauthorized = "UNAUTHORIZED"
        case denied = "DENIED"
        case tooManyRequests = "TOOMANYREQUESTS"
        case unavailable = "UNAVAILABLE"

        /// The HTTP status Notary answers with.
        package var status: Int {
            switch self {
            case .noStorage, .updating, .unknown: return 500
            case .metadataNotFound, .genericNotFound: return 404
            case .unauthorized: return 401
            case .denied: return 403
            case .tooManyRequests: return 429
            case .unavailable: return 503
            default: return 400
            }
        }

        /// Notary's fixed message for the code (docker/distribution errcode descriptors).
        package var message: String {
            switch self {
            case .noStorage: return "The server is misconfigured and has no storage."
            case .noFilename: return "An upload did not have a filename."
            case .invalidRole: return "The role you are attempting to operate on is invalid."
            case .malformedJSON: return "JSON sent by the client could not be parsed by the server"
            case .updating: return "An error has occurred while updating the TUF repository."
            case .version: return "A newer version of metadata is already available."
            case .metadataNotFound: return "You have requested metadata that does not exist."
            case .invalidUpdate: return "Update sent by the client is invalid."
            case .malformedUpload: return "The body of your request is malformed."
            case .genericNotFound: return "You have requested a resource that does not exist."
            case .invalidGUN: return "The provided GUN is invalid."
            case .invalidParameters: return "The parameters provided are not valid."
            case .unknown: return "unknown error"
            case .unauthorized: return "authentication required"
            case .denied: return "requested access to the resource is denied"
            case .tooManyRequests: return "too many requests"
            case .unavailable: return "service unavailable"
            }
        }
    }

    /// How `detail` is written: absent (router-level not-found), `{}`, a string, or a JSON value.
    package enum Detail: Sendable {
        case absent
        case empty
        case text(String)
        case json(JSONValue)
        /// Pre-encoded JSON, for Go structs whose field order is not sorted.
        case raw(String)
    }

    static func jsonText(_ text: String) -> String {
        String(decoding: (try? CanonicalJSON.encode(.string(text), htmlEscaped: true)) ?? [], as: UTF8.self)
    }

    package var code: Code
    /// The envelope's `message`: the code's fixed message unless one is given (access control
    /// says who was refused what).
    package var message: String
    package var detail: Detail
    /// What the server log says (never secrets); not sent to the client.
    package var logMessage: String

    package init(_ code: Code, message: String? = nil, detail: Detail = .empty, log: String = "") {
        self.code = code
        self.message = message ?? code.message
        self.detail = detail
        self.logMessage = log
    }

    package var description: String {
        "\(code.rawValue)\(logMessage.isEmpty ? "" : ": \(logMessage)")"
    }

    /// Router-level not found: no `detail` member at all, as gorilla/mux's NotFoundHandler answers.
    package static let routeNotFound = NotaryError(.metadataNotFound, detail: .absent)
    /// Handler-level not found: `"detail":{}`.
    package static let notFound = NotaryError(.metadataNotFound, detail: .empty)
    package static let versionConflict = NotaryError(.version, detail: .empty)

    /// `INVALID_UPDATE` with a validation error detail `{"Name":…,"Error":{"Msg":…}}`.
    package static func invalidUpdate(_ kind: ValidationKind, _ message: String, missing: String? = nil) -> NotaryError {
        // Go writes struct fields in declaration order: Name, Error; inside, Missing before Msg.
        var json = #"{"Name":"# + jsonText(kind.rawValue) + #","Error":{"#
        if let missing { json += #""Missing":"# + jsonText(missing) + "," }
        json += #""Msg":"# + jsonText(message) + "}}"
        return NotaryError(.invalidUpdate, detail: .raw(json), log: "\(kind.rawValue): \(message)")
    }

    /// The validation error types Notary serializes into `detail.Name`.
    package enum ValidationKind: String, Sendable {
        case validation = "ErrValidation"
        case badHierarchy = "ErrBadHierarchy"
        case badRoot = "ErrBadRoot"
        case badTargets = "ErrBadTargets"
        case badSnapshot = "ErrBadSnapshot"
    }
}
