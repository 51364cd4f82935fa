/// A response a handler returns (server side) or `HTTPClient` received (client side).
///
/// On the server, `Content-Length`, `Transfer-Encoding` and `Connection` set by a handler are ignored:
/// the server always frames the body with its own `Content-Length` and decides keep-alive itself.
/// A `Date` header is added unless the handler set one.
public struct HTTPResponse: Sendable {
    /// The status code (RFC 9110 §15).
    public var status: Int { didSet { preparedHead = nil } }
    public var headers: HTTPHeaders { didSet { preparedHead = nil } }
    public var body: [UInt8]
    /// The status line and handler-set headers already serialised (`preparingHead()`); dropped as
    /// soon as `status` or `headers` change.
    package private(set) var preparedHead: ResponseHead?

    public init(status: Int, headers: HTTPHeaders = .init(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// This response with its status line and headers serialised once (`ResponseHead`), for a
    /// response kept and sent many times (the trust server's cached metadata): sending it then only
    /// adds `Date`, `Content-Length` and `Connection`. The bytes sent are the same either way.
    package func preparingHead() -> HTTPResponse {
        var copy = self
        copy.preparedHead = ResponseHead(status: status, headers: headers)
        return copy
    }

    /// The body decoded as UTF-8 (invalid sequences become U+FFFD); convenient in tests and the CLI.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The standard reason phrase for `status`, or `Unknown` (RFC 9110 §15).
    public static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 101: "Switching Protocols"
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 206: "Partial Content"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 410: "Gone"
        case 411: "Length Required"
        case 412: "Precondition Failed"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Unknown"
        }
    }
}
