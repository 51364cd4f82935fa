import SignetHTTP

/// The server's request reader (`RequestParser`, fed as the event loop feeds it: head, request line, target, `Host`,
/// framing, `Expect`, chunked or fixed body), over up to 8 pipelined requests on one connection.
///
/// Properties:
/// - how the bytes are split into reads does not matter: the input read whole and read in small
///   pieces gives the same requests and the same rejections;
/// - remembering validated heads (`RequestHeadMemo`, as the event loop does, so that a head sent
///   again is not parsed again) changes nothing: the same requests and rejections;
/// - a request body never exceeds `maxBodyBytes` (here 4 KiB) and a head never exceeds
///   `maxHeaderBytes` (here 1 KiB), so the limits are reached by small inputs;
/// - a request's path starts with `/` or is the asterisk-form `*`.
public enum HTTPRequestFuzzTarget {
    static var configuration: HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.maxHeaderBytes = 1024
        configuration.maxBodyBytes = 4096
        return configuration
    }

    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        let configuration = configuration
        let whole = MessageReading.readRequests(bytes, readSize: 1 << 16, configuration: configuration)
        let pieces = MessageReading.readRequests(bytes, readSize: 1 + bytes.count % 7, configuration: configuration)
        guard whole == pieces else {
            throw FuzzPropertyViolation(.httpRequest, "read whole: \(whole); read in pieces of \(1 + bytes.count % 7): \(pieces)")
        }
        let remembered = MessageReading.readRequests(bytes, readSize: 1 << 16, configuration: configuration, rememberingHeads: true)
        guard whole == remembered else {
            throw FuzzPropertyViolation(.httpRequest, "read whole: \(whole); with heads remembered: \(remembered)")
        }
        for outcome in whole {
            guard case .request(_, _, let path, _, let body, _) = outcome else { continue }
            guard body.count <= configuration.maxBodyBytes else {
                throw FuzzPropertyViolation(.httpRequest, "a body of \(body.count) bytes passed maxBodyBytes \(configuration.maxBodyBytes)")
            }
            guard path.hasPrefix("/") || path == "*" else {  // "*": asterisk-form, RFC 9112 §3.2.4
                throw FuzzPropertyViolation(.httpRequest, "a request path is neither /… nor *")
            }
        }
    }
}
