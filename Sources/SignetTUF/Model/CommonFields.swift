/// The fields every role's `signed` object has (reference §3.3).
public struct CommonFields: Sendable {
    /// `Root`, `Targets`, `Snapshot` or `Timestamp`.
    public var type: String
    /// 1...`MetadataVersion.maximum`; +1 per re-sign.
    public var version: Int64
    public var expires: TUFTime

    init(_ fields: JSONFields, expectedType: String, role: String) throws {
        type = try fields.string("_type")
        guard type == expectedType else {
            throw TUFError(.wrongType, "\(role) has _type \"\(RoleName.printable(type))\", expected \"\(expectedType)\"", role: role)
        }
        version = try fields.int("version")
        try MetadataVersion.validate(version, role: role)
        let expiresText = try fields.string("expires")
        do { expires = try TUFTime(rfc3339: expiresText) } catch let error as TUFError {
            throw TUFError(.malformed, "\(role) expires: \(error.message)", role: role)
        }
    }

    public init(type: String, version: Int64, expires: TUFTime) {
        self.type = type
        self.version = version
        self.expires = expires
    }
}
