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
        try sign(signed, with: signers.map { RoleSigner(key: $0.key, privateKey: $0.privateKey) })
    }

    /// `sign(_:with:)` with each signer as a `RoleSigner`: its `signer` (a private key here or the
    /// signing agent) gives the method and the signature.
    public static func sign(_ signed: JSONValue, with signers: [RoleSigner]) throws -> MetadataFile {
        let message = try CanonicalJSON.encode(signed)
        var signatures: [Signature] = []
        for signer in signers {
            let (method, value) = try signer.signer.signature(for: message)
            signatures.append(Signature(keyID: signer.key.id, method: method.rawValue, value: value))
        }
        return MetadataFile(signed: signed, signatures: signatures)
    }
}
