import SignetCrypto

/// What signs a message for one key: a private key held in this process, or another holder of it
/// (the signing agent, `SignetClient`'s `AgentSigner`). The signature is Notary's for the key's
/// family (notary.md §3.8): the method it writes into `method` and the raw signature bytes.
public protocol MessageSigner: Sendable {
    /// Signs all of `message` (not a digest).
    /// - Returns: Notary's method name for the signature (`ecdsa`, `eddsa`, `rsapss`) and its bytes.
    /// - Throws: whatever the holder throws (OpenSSL's failure, an agent that cannot sign).
    func signature(for message: [UInt8]) throws -> (method: SignatureMethod, value: [UInt8])
}

extension PrivateKey: MessageSigner {
    /// `sign(_:method:)` with `defaultMethod`.
    public func signature(for message: [UInt8]) throws -> (method: SignatureMethod, value: [UInt8]) {
        let method = defaultMethod
        return (method, try sign(message, method: method))
    }
}

/// A signing key as a role lists it, with what signs for it.
public struct RoleSigner: Sendable {
    /// The TUF key exactly as the role lists it (for an x509 root key: the certificate key).
    public var key: TUFKey
    /// Signs for `key`: its private half here, or the signing agent.
    public var signer: any MessageSigner

    /// The private half when it is held in this process (nil when another holder signs, such as
    /// the signing agent); what needs the key itself (a new self-signed certificate) reads this.
    public var privateKey: PrivateKey? { signer as? PrivateKey }

    public init(key: TUFKey, privateKey: PrivateKey) {
        self.key = key
        self.signer = privateKey
    }

    public init(key: TUFKey, signer: any MessageSigner) {
        self.key = key
        self.signer = signer
    }
}
