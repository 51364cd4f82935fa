import SignetCrypto

/// Signs `signed` objects into metadata files.
public enum MetadataSigner {
    /// Signs the canonical bytes of `signed` with each key.
    /// - Parameters:
    ///   - signed: the `signed` object.
    ///   - signers: the TUF key as the role lists it (its ID goes into `keyid`; for an x509 root key
    ///     this is the certificate's ID) and the matching private key.
    /// - Returns: the file, signatures in the order given.
    public static func sign(_ signed: JSONValue, with signers: [(key: TUFKey, privateKey: PrivateKey)]) throws -> MetadataFile {
        let message = try CanonicalJSON.encode(signed)
        var signatures: [Signature] = []
        for signer in signers {
            let method = signer.privateKey.defaultMethod
            let value = try signer.privateKey.sign(message, method: method)
            signatures.append(Signature(keyID: signer.key.id, method: method.rawValue, value: value))
        }
        return MetadataFile(signed: signed, signatures: signatures)
    }

    /// `sign(_:with:)` with each signer as a `RoleSigner`.
    public static func sign(_ signed: JSONValue, with signers: [RoleSigner]) throws -> MetadataFile {
        try sign(signed, with: signers.map { ($0.key, $0.privateKey) })
    }
}
