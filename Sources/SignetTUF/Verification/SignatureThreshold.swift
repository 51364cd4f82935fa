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
        guard threshold >= 1 else {
            throw TUFError(.threshold, "\(role) has threshold \(threshold); it must be at least 1", role: role)
        }
        guard !keys.isEmpty else {
            // Notary writes `"keyids":null` once the last key of a role is removed.
            throw TUFError(.threshold, "\(role) has no keys, so nothing can sign it (threshold \(threshold)); add a key to it first", role: role)
        }
        guard !file.signatures.isEmpty else {
            throw TUFError(.threshold, "\(role) has no signatures", role: role)
        }
        let message = try file.canonicalSigned()
        var distinctKeys = Set<KeyIdentity>()
        var validKeyIDs: [String] = []
        var problems: [String] = []
        for signature in file.signatures {
            guard let key = keys[signature.keyID] else { continue }
            guard key.id == signature.keyID else {
                throw TUFError(.badKeyID, "\(role): key listed as \(signature.keyID) has ID \(key.id)", role: role)
            }
            // Method names must be written exactly as Notary writes them (lower case). Notary itself
            // parses them case-insensitively; Signet does not, so that no changed byte of a
            // timestamp (which nothing hashes) can leave it valid.
            guard let method = SignatureMethod(rawValue: signature.method) else {
                problems.append("key \(short(signature.keyID)): unknown method \"\(RoleName.printable(signature.method))\"")
                continue
            }
            let publicKey: PublicKey
            do { publicKey = try key.publicKey() } catch {
                problems.append("\(error)")
                continue
            }
            let valid = (try? publicKey.verify(signature: signature.value, message: message, method: method)) ?? false
            guard valid else {
                problems.append("key \(short(signature.keyID)): invalid \(signature.method) signature")
                continue
            }
            if distinctKeys.insert(publicKey.identity).inserted { validKeyIDs.append(signature.keyID) }
        }
        guard distinctKeys.count >= threshold else {
            let detail = problems.isEmpty ? "" : " (\(problems.joined(separator: "; ")))"
            throw TUFError(.threshold, "\(role) signature check failed: \(distinctKeys.count) distinct valid key(s), threshold \(threshold)\(detail)", role: role)
        }
        return validKeyIDs
    }

    static func short(_ id: String) -> String { String(id.prefix(12)) }
}
