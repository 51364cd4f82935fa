/// One part of a `multipart/form-data` body (RFC 7578).
public struct MultipartPart: Sendable, Equatable {
    /// The `name` parameter of the part's `Content-Disposition` (Notary clients send `files`).
    public var name: String?
    /// The raw `filename` parameter, unescaped but otherwise untouched — not reduced to a base name,
    /// because Notary role names such as `targets/releases` contain `/`.
    public var filename: String?
    /// The part's header fields.
    public var headers: HTTPHeaders
    /// The part's content, exactly the bytes between its header section and the next delimiter.
    public var body: [UInt8]

    public init(name: String?, filename: String?, headers: HTTPHeaders, body: [UInt8]) {
        self.name = name
        self.filename = filename
        self.headers = headers
        self.body = body
    }
}
