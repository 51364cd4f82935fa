import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF

/// Verifies Docker-registry-style bearer tokens (JWS compact serialization, RFC 7515/7519) as
/// notary-server's token auth does (reference §2.8): signature with ES256 (P-256, raw `r‖s`) or
/// RS256 (RSASSA-PKCS1-v1_5 SHA-256) under a configured key, then `iss`, `aud` (= service), `exp`
/// and `nbf` (60 s leeway), and the `access` claim
/// `[{"type":"repository","name":"<gun>","actions":["pull","push"]}]`.
///
/// `alg: none`, HS256 and every other algorithm are refused.
package struct JWTVerifier: Sendable {
    package let issuer: String
    package let service: String
    let keys: [PublicKey]
    /// Clock skew tolerated on `exp` and `nbf`, seconds.
    package var leeway: Double = 60

    /// One `access` entry of a verified token.
    package struct Access: Sendable, Equatable {
        package var type: String
        package var name: String
        package var actions: Set<AccessAction>
    }

    /// What a verified token says.
    package struct Claims: Sendable {
        /// `sub`; empty for an anonymous token.
        package var subject: String
        package var access: [Access]

        /// The actions the token grants for a requirement's scope: the `access` entries whose
        /// type and name equal the scope's byte for byte (`ExactName`; an NFC GUN is not its NFD twin).
        package func actions(for requirement: AccessRequirement) -> Set<AccessAction> {
            let (type, name): (String, String)
            switch requirement {
            case .repository(let gun, _): (type, name) = ("repository", gun)
            case .catalog: (type, name) = ("registry", "catalog")
            case .none, .authenticated: return [.all]
            }
            return access.filter { ExactName.equal($0.type, type) && ExactName.equal($0.name, name) }.reduce(into: Set<AccessAction>()) { $0.formUnion($1.actions) }
        }
    }

    /// Why a token was refused; the message names the check and never includes the token.
    package struct Refusal: Error, CustomStringConvertible {
        package var description: String
    }

    /// - Parameters:
    ///   - keyFile: PEM with `CERTIFICATE` blocks (notary-server's `rootcertbundle`) and/or
    ///     `PUBLIC KEY` blocks; each ECDSA P-256 or RSA ≥ 2048 key is a trusted token signer.
    /// - Throws: `Refusal` when the file is unreadable or holds no usable key.
    package init(keyFile: String, issuer: String, service: String) throws {
        guard let data = FileManager.default.contents(atPath: keyFile) else { throw Refusal(description: "cannot read token key file \(keyFile)") }
        let text = String(decoding: data, as: UTF8.self)
        var keys: [PublicKey] = []
        if let certificates = try? Certificate.parsePEMBundle(Array(data)) { keys += certificates.map(\.publicKey) }
        for block in (try? PEMBlock.parseAll(text)) ?? [] where block.type == "PUBLIC KEY" {
            if let key = try? PublicKey(spkiDER: block.der) { keys.append(key) }
        }
        keys = keys.filter { $0.algorithm == .ecdsa || $0.algorithm == .rsa }
        guard !keys.isEmpty else { throw Refusal(description: "token key file \(keyFile) holds no ECDSA or RSA certificate or public key") }
        self.init(keys: keys, issuer: issuer, service: service)
    }

    package init(keys: [PublicKey], issuer: String, service: String) {
        self.keys = keys
        self.issuer = issuer
        self.service = service
    }

    /// Verifies `token` at `now`.
    /// - Returns: the subject and access entries.
    /// - Throws: `Refusal` naming the failed check (format, algorithm, signature, iss, aud, exp, nbf).
    package func verify(_ token: String, now: Date = Date()) throws -> Claims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 16 * 1024,
              let headerBytes = Self.base64URLDecode(parts[0]), let payloadBytes = Self.base64URLDecode(parts[1]),
              let signature = Self.base64URLDecode(parts[2]),
              let header = try? JSONParser.parse(headerBytes, maxDepth: 8), let payload = try? JSONParser.parse(payloadBytes, maxDepth: 8)
        else { throw Refusal(description: "token is not a JWS compact serialization") }
        let alg = header["alg"]?.stringValue ?? ""
        let method: SignatureMethod
        switch alg {
        case "ES256": method = .ecdsa
        case "RS256": method = .rsapkcs1v15
        default: throw Refusal(description: "token algorithm \(alg.isEmpty ? "(none)" : alg) is not ES256 or RS256")
        }
        let signingInput = Array(parts[0].utf8) + [UInt8(ascii: ".")] + Array(parts[1].utf8)
        let verified = keys.contains { key in
            guard method.keyAlgorithm == key.algorithm else { return false }
            if method == .ecdsa, key.bits != 256 { return false }
            return (try? key.verify(signature: signature, message: signingInput, method: method)) == true
        }
        guard verified else { throw Refusal(description: "token signature does not verify with a configured key") }

        guard payload["iss"]?.stringValue == issuer else { throw Refusal(description: "token issuer is not \(issuer)") }
        let audiences: [String]
        if let single = payload["aud"]?.stringValue { audiences = [single] } else { audiences = payload["aud"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        guard audiences.contains(service) else { throw Refusal(description: "token audience is not \(service)") }
        guard let exp = Self.number(payload["exp"]) else { throw Refusal(description: "token has no exp") }
        let time = now.timeIntervalSince1970
        guard time < exp + leeway else { throw Refusal(description: "token expired") }
        if let nbf = Self.number(payload["nbf"]), time + leeway < nbf { throw Refusal(description: "token is not valid yet (nbf)") }

        var access: [Access] = []
        for entry in payload["access"]?.arrayValue ?? [] {
            guard let type = entry["type"]?.stringValue, let name = entry["name"]?.stringValue else { continue }
            let actions = Set((entry["actions"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(AccessAction.init(name:)) })
            access.append(Access(type: type, name: name, actions: actions))
        }
        return Claims(subject: payload["sub"]?.stringValue ?? "", access: access)
    }

    static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .fractional(let text): return Double(text)
        default: return nil
        }
    }

    /// Base64url without padding (RFC 7515 §2); nil for other characters.
    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        guard text.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else { return nil }
        var standard = text.replacingLiterally("-", with: "+").replacingLiterally("_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }
}
