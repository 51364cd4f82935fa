import SignetHTTP
import SignetTUF

/// One role file of a publish, after the first check of Notary's validation (reference §5.1 step
/// 1): a valid role name and the minimal shape `{"signed":{"_type","expires","version"},"signatures"}`.
package struct UploadedRole: Sendable {
    package var role: String
    package var version: Int64
    package var bytes: [UInt8]
    package var file: MetadataFile

    /// Reads the parts of a publish body (reference §2.2): parts named `files`, the raw filename
    /// is the role (an optional `.json` suffix stripped; never reduced to a base name).
    /// - Throws: `NotaryError` `NO_FILENAME`, `INVALID_ROLE` (detail = the name), `MALFORMED_JSON`,
    ///   `VERSION` for a role sent twice.
    package static func parse(parts: [MultipartPart], maxRoles: Int) throws -> [String: UploadedRole] {
        var roles: [String: UploadedRole] = [:]
        for part in parts where part.name == "files" {
            guard var role = part.filename, !role.isEmpty else { throw NotaryError(.noFilename, detail: .empty) }
            if role.hasSuffix(".json") { role.removeLast(5) }
            do { try RoleName.validate(role) } catch {
                throw NotaryError(.invalidRole, detail: .text(role), log: "\(error)")
            }
            guard roles[role] == nil else { throw NotaryError(.version, log: "\(role) uploaded twice") }
            guard roles.count < maxRoles else { throw NotaryError(.malformedUpload, detail: .absent, log: "more than \(maxRoles) roles in one publish") }
            let file: MetadataFile
            do { file = try MetadataFile.parse(part.body, role: role) } catch {
                throw NotaryError(.malformedJSON, detail: .absent, log: "\(error)")
            }
            guard file.signed["_type"]?.stringValue != nil, file.signed["expires"]?.stringValue != nil,
                  let version = file.signed["version"]?.intValue else {
                throw NotaryError(.malformedJSON, detail: .absent, log: "\(role) lacks _type, expires or version")
            }
            roles[role] = UploadedRole(role: role, version: version, bytes: part.body, file: file)
        }
        return roles
    }
}
