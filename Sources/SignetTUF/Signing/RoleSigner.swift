import SignetCrypto

/// A signing key as a role lists it, with its private half.
public struct RoleSigner: @unchecked Sendable {  // PrivateKey is itself Sendable; the tuple-free struct is for API clarity.
    /// The TUF key exactly as the role lists it (for an x509 root key: the certificate key).
    public var key: TUFKey
    public var privateKey: PrivateKey

    public init(key: TUFKey, privateKey: PrivateKey) {
        self.key = key
        self.privateKey = privateKey
    }
}
