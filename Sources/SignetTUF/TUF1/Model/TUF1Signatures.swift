import SignetCrypto

/// A TUF 1.0 role's threshold (TUF 1.0 §5.3.3, §5.4.2, §5.5.3, §5.6.3): valid signatures by at
/// least `threshold` of the role's keys, counted over distinct key material
/// (`SignatureThreshold.count`, the rule Notary's dialect uses too).
///
/// - A signature whose key ID is not one of the role's is ignored (a root signed by old and new
///   keys during a rotation).
/// - A signature that is empty, not hex, or does not verify is a problem listed in the error, not
///   a refusal: one bad signature beside a threshold of good ones leaves the file valid.
/// - The scheme comes from the key, never from the signature.
public enum TUF1Signatures {
    /// - Parameters:
    ///   - keys: the key map the role's entry refers to (root's, or the delegator's).
    ///   - entry: the role's key IDs and threshold.
    /// - Throws: `TUFError(.threshold)` naming the role, the count and each problem.
    public static func verify(_ file: TUF1Metadata, role: String, keys: [String: TUF1Key], of entry: TUF1RoleKeys) throws {
        try SignatureThreshold.requireSignable(role: role, threshold: entry.threshold, keyCount: entry.keyIDs.count,
                                               signatureCount: file.signatures.count)
        let listed = Set(entry.keyIDs.map(ExactName.Key.init))
        let message = try file.canonicalSigned()
        _ = try SignatureThreshold.count(file.signatures, role: role, threshold: entry.threshold) { signature in
            guard listed.contains(ExactName.Key(signature.keyID)), let key = ExactName.value(in: keys, for: signature.keyID) else { return .notListed }
            let short = SignatureThreshold.short(signature.keyID)
            guard let bytes = Hex.decode(signature.sig), !bytes.isEmpty else {
                return .invalid("key \(short): signature is empty or not hex")
            }
            let verifier: (key: PublicKey, scheme: SignatureScheme)
            do { verifier = try key.verifier() } catch { return .invalid("\(error)") }
            let valid = (try? verifier.key.verify(signature: bytes, message: message, scheme: verifier.scheme)) ?? false
            guard valid else { return .invalid("key \(short): invalid \(verifier.scheme.rawValue) signature") }
            return .valid(keyID: signature.keyID, identity: verifier.key.identity)
        }
    }
}
