import SignetCrypto

/// Checks that a metadata file carries valid signatures from at least `threshold` distinct keys.
///
/// Rules (reference §3.8, DESIGN.md security rules):
/// - signatures whose key ID is not among `keys` are ignored;
/// - a listed key whose computed ID differs from the ID it is listed under fails the whole check
///   (Notary `ErrInvalidKeyID`);
/// - validity is judged over the canonical bytes of `signed`, re-encoded from the parsed tree;
/// - the count is over distinct key material in its one canonical form (`KeyIdentity`: named
///   curve and uncompressed point, RSA modulus and exponent, Ed25519 bytes), never over
///   signatures or key IDs: the same signature twice, or one key listed under two IDs (as `ecdsa`
///   and as an `ecdsa-x509` certificate, or in another point encoding, which does not even
///   parse), counts once;
/// - the key that verifies a signature is the one the key's identity is taken from
///   (`TUFKey.material()`), so what is counted is what verified.
public enum SignatureThreshold {
    /// - Parameters:
    ///   - file: the parsed file.
    ///   - role: the role name, for messages.
    ///   - keys: key ID → key, the keys the role's parent lists for it.
    ///   - threshold: the role's threshold.
    /// - Returns: the key IDs whose signatures verified.
    /// - Throws: `TUFError(.threshold)` naming the role, the count and the threshold;
    ///   `TUFError(.badKeyID)` for a mislabelled key.
    @discardableResult
    public static func verify(_ file: MetadataFile, role: String, keys: [String: TUFKey], threshold: Int64) throws -> [String] {
        try requireSignable(role: role, threshold: threshold, keyCount: keys.count, signatureCount: file.signatures.count)
        let message = try file.canonicalSigned()
        return try count(file.signatures, role: role, threshold: threshold) { signature in
            guard let key = keys[signature.keyID] else { return .notListed }
            guard key.id == signature.keyID else {
                throw TUFError(.badKeyID, "\(role): key listed as \(signature.keyID) has ID \(key.id)", role: role)
            }
            // Method names must be written exactly as Notary writes them (lower case). Notary itself
            // parses them case-insensitively; Signet does not, so that no changed byte of a
            // timestamp (which nothing hashes) can leave it valid.
            guard let method = SignatureMethod(rawValue: signature.method) else {
                return .invalid("key \(short(signature.keyID)): unknown method \"\(RoleName.printable(signature.method))\"")
            }
            let publicKey: PublicKey
            do { publicKey = try key.publicKey() } catch { return .invalid("\(error)") }
            let valid = (try? publicKey.verify(signature: signature.value, message: message, method: method)) ?? false
            guard valid else { return .invalid("key \(short(signature.keyID)): invalid \(signature.method) signature") }
            return .valid(keyID: signature.keyID, identity: publicKey.identity)
        }
    }

    /// What one signature contributes to a threshold, as a dialect's check of it found.
    public enum SignatureOutcome {
        /// Its key ID is not one of the role's keys: ignored.
        case notListed
        /// It verified with the key whose identity (canonical key material) is `identity`.
        case valid(keyID: String, identity: KeyIdentity)
        /// It did not verify, or its key cannot be used; `problem` is one line for the message.
        case invalid(String)
    }

    /// The preconditions of every threshold, in both dialects: a threshold of at least 1, at least
    /// one key, at least one signature.
    /// - Throws: `TUFError(.threshold)` naming the role and what is missing.
    public static func requireSignable(role: String, threshold: Int64, keyCount: Int, signatureCount: Int) throws {
        guard threshold >= 1 else {
            throw TUFError(.threshold, "\(role) has threshold \(threshold); it must be at least 1", role: role)
        }
        guard keyCount > 0 else {
            // Notary writes `"keyids":null` once the last key of a role is removed.
            throw TUFError(.threshold, "\(role) has no keys, so nothing can sign it (threshold \(threshold)); add a key to it first", role: role)
        }
        guard signatureCount > 0 else {
            throw TUFError(.threshold, "\(role) has no signatures", role: role)
        }
    }

    /// The counting rule both dialects share (Notary's `verify` above, TUF 1.0's
    /// `TUF1Signatures`): each signature is judged by `judge`, and the role is signed when the
    /// valid ones come from at least `threshold` distinct key identities (`KeyIdentity`).
    /// - Parameters:
    ///   - signatures: the file's signatures, in file order.
    ///   - judge: the dialect's check of one signature; may throw to refuse the whole file.
    /// - Returns: the key IDs of the signatures that added a new identity, in file order.
    /// - Throws: `TUFError(.threshold)` naming the role, the count, the threshold and each
    ///   signature's problem; whatever `judge` throws.
    public static func count<S: Sequence>(_ signatures: S, role: String, threshold: Int64,
                                          judge: (S.Element) throws -> SignatureOutcome) throws -> [String] {
        var distinctKeys = Set<KeyIdentity>()
        var validKeyIDs: [String] = []
        var problems: [String] = []
        for signature in signatures {
            switch try judge(signature) {
            case .notListed: continue
            case .invalid(let problem): problems.append(problem)
            case .valid(let keyID, let identity):
                if distinctKeys.insert(identity).inserted { validKeyIDs.append(keyID) }
            }
        }
        guard distinctKeys.count >= threshold else {
            let detail = problems.isEmpty ? "" : " (\(problems.joined(separator: "; ")))"
            throw TUFError(.threshold, "\(role) signature check failed: \(distinctKeys.count) distinct valid key(s), threshold \(threshold)\(detail)", role: role)
        }
        return validKeyIDs
    }

    static func short(_ id: String) -> String { String(id.prefix(12)) }
}
