/// The signing agent's wire format (docs/signing-agent.md): length-prefixed binary frames on the
/// agent's Unix socket, signing only, so a private key never leaves the agent.
///
/// ```
/// frame    = length:u32be payload            (length counts the payload's bytes)
/// request  = version:u8 (1) op:u8 body
///   op 1 list   body empty
///   op 2 sign   body = idLength:u8 keyID (64 lower-case hex characters) message (≤ 64 MiB)
///   op 3 stop   body empty
/// reply    = version:u8 (1) status:u8 body
///   status 0 ok      list: a JSON document (`AgentStatus`); sign: methodLength:u8 method signature;
///                    stop: empty
///   status 1 refused body = a one-line UTF-8 reason (no secrets)
/// ```
///
/// Limits: a request payload of at most `maxRequestBytes` (a larger length is refused before it
/// is read, and the connection closed); `maxRequestsPerConnection` requests per connection; a
/// reply of at most `maxReplyBytes` (the client refuses a larger one). Nothing in the protocol
/// exports a key: there is no operation that returns key material.
package enum AgentProtocol {
    package static let version: UInt8 = 1

    package enum Operation: UInt8, Sendable {
        case list = 1
        case sign = 2
        case stop = 3
    }

    package enum Status: UInt8, Sendable {
        case ok = 0
        case refused = 1
    }

    /// The largest message the agent signs: 64 MiB (a targets file is bounded far below this).
    package static let maxMessageBytes = 64 << 20
    /// The largest request payload: a sign request with the largest message.
    package static let maxRequestBytes = 2 + 1 + 255 + maxMessageBytes
    /// The largest reply the client reads (a status document listing every held key).
    package static let maxReplyBytes = 1 << 20
    /// Requests answered on one connection before the agent closes it.
    package static let maxRequestsPerConnection = 10_000
    /// Keys one agent holds at most.
    package static let maxKeys = 1024

    /// A `sign` request's payload for `keyID` and `message`.
    /// - Throws: `ClientError(.usage)` when the key ID is not 1…255 bytes or the message is over
    ///   `maxMessageBytes`.
    package static func signRequest(keyID: String, message: [UInt8]) throws -> [UInt8] {
        let id = Array(keyID.utf8)
        guard !id.isEmpty, id.count <= 255 else { throw ClientError(.usage, "key ID of \(id.count) bytes cannot be sent to the signing agent") }
        guard message.count <= maxMessageBytes else {
            throw ClientError(.usage, "a message of \(message.count) bytes is over the signing agent's limit of \(maxMessageBytes) bytes")
        }
        return [version, Operation.sign.rawValue, UInt8(id.count)] + id + message
    }

    /// A request's payload for an operation without a body.
    package static func request(_ operation: Operation) -> [UInt8] { [version, operation.rawValue] }

    /// `length:u32be` followed by `payload`.
    package static func frame(_ payload: [UInt8]) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
    }

    /// A frame's length from its 4-byte big-endian prefix.
    package static func length(_ prefix: [UInt8]) -> Int {
        prefix.reduce(0) { $0 << 8 | Int($1) }
    }

    /// A `sign` reply body: the method's name, then the signature.
    package static func signReply(method: String, signature: [UInt8]) -> [UInt8] {
        let name = Array(method.utf8)
        return [version, Status.ok.rawValue, UInt8(name.count)] + name + signature
    }

    /// A reply with `status` and `body`.
    package static func reply(_ status: Status, _ body: [UInt8] = []) -> [UInt8] { [version, status.rawValue] + body }
}

/// What `list` answers: the agent's process, when it stops, and the keys it holds (never the keys
/// themselves).
package struct AgentStatus: Codable, Sendable, Equatable {
    package struct HeldKey: Codable, Sendable, Equatable {
        /// Canonical key ID (as the trust dir names the key file).
        package var keyID: String
        package var role: String
        /// The GUN of a targets or snapshot key (`gun:` PEM header); nil for root and delegation keys.
        package var gun: String?
        package init(keyID: String, role: String, gun: String?) { self.keyID = keyID; self.role = role; self.gun = gun }
    }
    package var pid: Int32
    /// Whole seconds until the agent exits by its timeout.
    package var secondsLeft: Int64
    package var keys: [HeldKey]
    package init(pid: Int32, secondsLeft: Int64, keys: [HeldKey]) { self.pid = pid; self.secondsLeft = secondsLeft; self.keys = keys }
}
