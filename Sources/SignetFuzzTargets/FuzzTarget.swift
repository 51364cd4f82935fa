/// The fuzz targets: one parser (or parser pair) each, with the properties it must keep on any input.
///
/// Each target's `fuzzOne(_:)` swallows the errors a parser is allowed to throw for bad input and
/// throws `FuzzPropertyViolation` when a property breaks (a round trip that changes the value, an
/// accepted input whose re-encoding is refused). Crashes, traps and sanitizer reports are findings
/// as well. `scripts/fuzz` runs them under libFuzzer through the `signet-fuzz` executable;
/// `Tests/SignetFuzzTargetsTests` runs each over its seed corpus in the normal build.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONParser` + `CanonicalJSON` (see `JSONFuzzTarget`).
    case json
    /// `MetadataFile` and the four role models (see `MetadataFuzzTarget`).
    case metadata
    /// PEM blocks, plain and encrypted PKCS#8, SEC1/PKCS#1 keys, SPKI, X.509 (see `KeyFuzzTarget`).
    case keys
    /// The server's request reader (see `HTTPRequestFuzzTarget`).
    case httpRequest = "http-request"
    /// `Multipart.parse` (see `MultipartFuzzTarget`).
    case multipart
    /// The client's response reader (see `HTTPResponseFuzzTarget`).
    case httpResponse = "http-response"

    /// Runs one input through the target.
    /// - Throws: `FuzzPropertyViolation` when a property of the target breaks; nothing else.
    public func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        switch self {
        case .json: try JSONFuzzTarget.fuzzOne(bytes)
        case .metadata: try MetadataFuzzTarget.fuzzOne(bytes)
        case .keys: try KeyFuzzTarget.fuzzOne(bytes)
        case .httpRequest: try HTTPRequestFuzzTarget.fuzzOne(bytes)
        case .multipart: try MultipartFuzzTarget.fuzzOne(bytes)
        case .httpResponse: try HTTPResponseFuzzTarget.fuzzOne(bytes)
        }
    }
}

/// A property of a fuzz target that did not hold for an input; `message` says which and how.
public struct FuzzPropertyViolation: Error, CustomStringConvertible {
    public var target: FuzzTarget
    public var message: String

    public init(_ target: FuzzTarget, _ message: String) {
        self.target = target
        self.message = message
    }

    public var description: String { "fuzz target \(target.rawValue): \(message)" }
}
