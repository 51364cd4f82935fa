import SignetHTTP

/// The client's response reader (`HTTPClient.readResponse`: status line, interim 1xx responses,
/// headers, framing, chunked / fixed / until-close body), for a `GET` and a `HEAD`.
///
/// Properties:
/// - how the bytes are split into reads does not matter (same response or same error code);
/// - a body never exceeds `maxResponseBytes` (here 4 KiB); a `HEAD` response has no body;
/// - the status is a three-digit number.
public enum HTTPResponseFuzzTarget {
    static let maxResponseBytes = 4096

    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        for method in ["GET", "HEAD"] {
            let whole = read(bytes, method: method, readSize: 1 << 16)
            let pieces = read(bytes, method: method, readSize: 1 + bytes.count % 7)
            guard whole == pieces else {
                throw FuzzPropertyViolation(.httpResponse, "\(method): read whole: \(whole); read in pieces of \(1 + bytes.count % 7): \(pieces)")
            }
            guard case .response(let status, _, let body) = whole else { continue }
            guard (100...999).contains(status) else { throw FuzzPropertyViolation(.httpResponse, "status \(status) is not three digits") }
            guard body.count <= maxResponseBytes else {
                throw FuzzPropertyViolation(.httpResponse, "a body of \(body.count) bytes passed maxResponseBytes \(maxResponseBytes)")
            }
            guard method != "HEAD" || body.isEmpty else { throw FuzzPropertyViolation(.httpResponse, "a HEAD response has a body") }
        }
    }

    enum Outcome: Equatable, CustomStringConvertible {
        case response(status: Int, headers: HTTPHeaders, body: [UInt8])
        case failed(HTTPError.Code)

        var description: String {
            switch self {
            case .response(let status, let headers, let body): "response \(status) headers=\(headers.count) body=\(body.count)"
            case .failed(let code): "failed \(code.rawValue)"
            }
        }
    }

    static func read(_ bytes: [UInt8], method: String, readSize: Int) -> Outcome {
        do {
            let response = try MessageReading.readResponse(bytes, method: method, readSize: readSize, maxResponseBytes: maxResponseBytes)
            return .response(status: response.status, headers: response.headers, body: response.body)
        } catch let error as HTTPError {
            return .failed(error.code)
        } catch {
            return .failed(.io)
        }
    }
}
