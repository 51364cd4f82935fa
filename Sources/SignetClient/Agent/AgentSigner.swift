import SignetCrypto
import SignetTUF

/// Signs for one key through the signing agent, and uses a signature only after it verified
/// against the public key the role lists (docs/signing-agent.md): a socket that an attacker
/// replaced, or an agent holding another key under that ID, makes the signing throw instead of
/// putting a bad signature into metadata. Since a publish signs every role before it uploads
/// anything, a throw here means nothing is published.
package struct AgentSigner: MessageSigner {
    package var agent: AgentClient
    /// The canonical key ID asked for.
    package var keyID: String
    /// The public key the role lists for `keyID` (from the same parsed `KeyMaterial` as the ID).
    package var publicKey: PublicKey

    package init(agent: AgentClient, material: KeyMaterial) {
        self.agent = agent
        self.keyID = material.canonicalID
        self.publicKey = material.publicKey
    }

    /// - Throws: the agent's `ClientError`s (`AgentClient.sign`); `ClientError(.key)` naming the
    ///   socket and key ID when the reply's method is not Notary's for the key's family or the
    ///   signature does not verify.
    package func signature(for message: [UInt8]) throws -> (method: SignatureMethod, value: [UInt8]) {
        let (name, value) = try agent.sign(keyID: keyID, message: message)
        let expected = publicKey.algorithm.signingMethod
        guard name == expected.rawValue, (try? publicKey.verify(signature: value, message: message, method: expected)) == true else {
            throw ClientError(.key, "the signing agent at \(agent.socketPath) returned a signature for key \(keyID) that does not verify against that key (method \(name.prefix(40))); nothing was signed with it: stop the agent (`signet agent stop`) or set SIGNET_AGENT=off")
        }
        return (expected, value)
    }
}
