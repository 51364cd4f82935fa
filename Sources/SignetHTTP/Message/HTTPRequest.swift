/// One parsed HTTP/1.1 request as the server hands it to its handler.
public struct HTTPRequest: Sendable {
    /// The method token exactly as sent (`GET`, `POST`, …); methods are case-sensitive (RFC 9110 §9.1).
    public var method: String
    /// The raw request-target from the request line, e.g. `/v2/docker.io%2Fx/_trust/tuf/root.json?a=b`.
    public var target: String
    /// The percent-decoded path of the target, without the query (`*` for `OPTIONS *`).
    public var path: String
    /// Query parameters, percent-decoded with `+` as space; when a name repeats the last value wins.
    public var query: [String: String]
    /// The request's header fields in wire order.
    public var headers: HTTPHeaders
    /// The body after removing any chunked framing; empty when the request had none.
    public var body: [UInt8]
    /// The peer as `ip:port` (`[ip]:port` for IPv6).
    public var remoteAddress: String
    /// The subject of the verified TLS client certificate, when the server requires or requests one.
    public var peerCertificateSubject: String?
    /// `HTTP/1.1` or `HTTP/1.0`, as the request line said.
    public var version: String

    public init(
        method: String, target: String, path: String, query: [String: String] = [:],
        headers: HTTPHeaders = .init(), body: [UInt8] = [], remoteAddress: String = "",
        peerCertificateSubject: String? = nil, version: String = "HTTP/1.1"
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.peerCertificateSubject = peerCertificateSubject
        self.version = version
    }
}
