import Glibc
import SignetCrypto
import SignetSupport

/// How `signet agent start` gives the unlocked keys to the agent process it starts: over the
/// child's standard input (a pipe), never through a file (docs/signing-agent.md).
///
/// ```
/// handover = count:u32be key*          (count ≤ AgentProtocol.maxKeys)
/// key      = roleLength:u16be role gunLength:u16be gun derLength:u32be pkcs8DER
/// ```
/// `gun` is empty for keys without one (root, delegations); the DER is the key's unencrypted
/// PKCS#8 (≤ `maxKeyBytes`). The buffers holding DER are overwritten with zeros once used.
package enum AgentHandOver {
    /// The largest PKCS#8 DER accepted for one key (an RSA 16384-bit key is ~9.5 KiB).
    package static let maxKeyBytes = 16 << 10
    /// The largest role or GUN, in bytes.
    package static let maxNameBytes = 1024

    /// The hand-over bytes for `keys`.
    /// - Throws: `CryptoError` when a key cannot be encoded.
    package static func encode(_ keys: [AgentServer.HeldKey]) throws -> [UInt8] {
        var bytes = be32(keys.count)
        for key in keys {
            var der = try key.privateKey.pkcs8DER()
            defer { zero(&der) }
            let role = Array(key.role.utf8), gun = Array((key.gun ?? "").utf8)
            bytes += be16(role.count) + role + be16(gun.count) + gun + be32(der.count) + der
        }
        return bytes
    }

    /// Reads the hand-over from `fd` until end of input.
    /// - Throws: `ClientError(.usage)` for a count, name or key over its bound, a truncated
    ///   hand-over or a key that does not parse (the message never holds key bytes).
    package static func read(from fd: Int32) throws -> [AgentServer.HeldKey] {
        func take(_ count: Int) throws -> [UInt8] {
            guard let bytes = try AgentSocket.read(fd, count: count) else { throw ClientError(.usage, "the key hand-over ended early") }
            return bytes
        }
        let count = AgentProtocol.length(try take(4))
        guard count <= AgentProtocol.maxKeys else { throw ClientError(.usage, "a hand-over of \(count) keys is over the limit of \(AgentProtocol.maxKeys)") }
        var keys: [AgentServer.HeldKey] = []
        for _ in 0..<count {
            let roleLength = AgentProtocol.length(try take(2))
            guard roleLength <= maxNameBytes else { throw ClientError(.usage, "a role of \(roleLength) bytes in the key hand-over") }
            let role = String(decoding: try take(roleLength), as: UTF8.self)
            let gunLength = AgentProtocol.length(try take(2))
            guard gunLength <= maxNameBytes else { throw ClientError(.usage, "a GUN of \(gunLength) bytes in the key hand-over") }
            let gun = String(decoding: try take(gunLength), as: UTF8.self)
            let derLength = AgentProtocol.length(try take(4))
            guard derLength <= maxKeyBytes else { throw ClientError(.usage, "a key of \(derLength) bytes in the key hand-over") }
            var der = try take(derLength)
            defer { zero(&der) }
            guard let privateKey = try? PrivateKey(derPKCS8: der) else { throw ClientError(.usage, "a \(role) key in the hand-over does not parse") }
            keys.append(AgentServer.HeldKey(role: role, gun: gun.isEmpty ? nil : gun, privateKey: privateKey))
        }
        return keys
    }

    /// Overwrites `bytes` with zeros (best effort: copies made before are not reached).
    package static func zero(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            explicit_bzero(base, raw.count)
        }
    }

    static func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    static func be32(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
}
