import FoundationEssentials
import Logging
import SignetCrypto
import SignetSupport
import SignetTUF
import Synchronization

/// How server-held keys are encrypted at rest, for every `ServerKeyStore`: PKCS#8
/// `ENCRYPTED PRIVATE KEY` (PBES2, PBKDF2-HMAC-SHA256 600,000 iterations by default, AES-256-CBC)
/// under the server's key passphrase (`resolvePassphrase`). Decrypted keys are kept in memory by
/// key ID (at most `maxCached`), so signing a timestamp does not pay the key derivation again.
package final class ServerKeySealing: Sendable {
    /// Algorithm of new keys: `.ed25519` (notary-server's local signer default) or `.ecdsa`.
    package let algorithm: KeyAlgorithm
    private let passphrase: String
    private let kdf: KeyDerivation
    private let cache = Mutex<[String: PrivateKey]>([:])
    /// Decrypted keys kept at most; then the cache starts over.
    static let maxCached = 100_000

    /// - Parameters:
    ///   - passphrase: encrypts and decrypts every key; never logged.
    ///   - kdf: key derivation for new keys.
    package init(algorithm: KeyAlgorithm, passphrase: String, kdf: KeyDerivation = .pbkdf2SHA256(iterations: 600_000)) {
        self.algorithm = algorithm
        self.passphrase = passphrase
        self.kdf = kdf
    }

    private func keep(_ key: PrivateKey, id: String) {
        cache.withLock { cache in
            if cache.count >= Self.maxCached { cache.removeAll() }
            cache[id] = key
        }
    }

    /// The decrypted key with ID `keyID`, if this process has decrypted or created it.
    func cached(keyID: String) -> PrivateKey? { cache.withLock { $0[keyID] } }

    /// A new key for `gun`'s `role`, encrypted, created now; its public TUF key.
    /// - Throws: `CryptoError` if OpenSSL cannot generate or encrypt it.
    func generate(gun: String, role: String) throws -> (StoredServerKey, TUFKey) {
        let key = try PrivateKey.generate(algorithm)
        let tufKey = TUFKey(publicKey: key.publicKey)
        let pem = PEMBlock(type: "ENCRYPTED PRIVATE KEY", der: try key.encryptedPKCS8DER(passphrase: passphrase, kdf: kdf)).encoded()
        keep(key, id: tufKey.id)
        return (StoredServerKey(gun: gun, role: role, keyID: tufKey.id, created: Date(), encryptedPEM: Array(pem.utf8)), tufKey)
    }

    /// Decrypts `stored` (or returns it from memory), checking that it is the key its ID names.
    /// - Throws: `NotaryError(.unknown)` naming the GUN, role and key ID when the bytes are not PEM,
    ///   do not decrypt with this server's passphrase (every server sharing a storage needs the
    ///   same one), or hold another key than `keyID`.
    func open(_ stored: StoredServerKey) throws -> PrivateKey {
        if let cached = cached(keyID: stored.keyID) { return cached }
        let what = "\(stored.role) key \(stored.keyID) of \(stored.gun)"
        guard let block = try? PEMBlock.parseAll(String(decoding: stored.encryptedPEM, as: UTF8.self)).first else {
            throw NotaryError(.unknown, log: "the stored \(what) is not PEM")
        }
        let key: PrivateKey
        do { key = try PrivateKey(pemBlock: block, passphrase: passphrase) } catch let error as CryptoError where error.code == .wrongPassphrase {
            throw NotaryError(.unknown, log: "the stored \(what) does not decrypt with this server's key passphrase; every server on one storage needs the same SIGNET_SERVER_KEY_PASSPHRASE (or trust_service.key_passphrase)")
        }
        let actual = TUFKey(publicKey: key.publicKey).id
        guard actual == stored.keyID else { throw NotaryError(.unknown, log: "the stored \(what) holds key \(actual)") }
        keep(key, id: stored.keyID)
        return key
    }

    /// The passphrase of the server's keys: config `trust_service.key_passphrase`, else
    /// `SIGNET_SERVER_KEY_PASSPHRASE`, else the contents of `<storageRoot>/server-key-passphrase`,
    /// created (0600, 32 random bytes as hex) on first start with a log line saying so.
    /// - Throws: `NotaryError(.noStorage)` for an empty passphrase file; the storage error of a
    ///   file that cannot be read or written.
    static func resolvePassphrase(settings: TrustServerSettings, storageRoot: String, logger: Logger) throws -> String {
        if let configured = settings.keyPassphrase, !configured.isEmpty { return configured }
        if let fromEnvironment = ProcessInfo.processInfo.environment["SIGNET_SERVER_KEY_PASSPHRASE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let path = storageRoot + "/server-key-passphrase"
        if let existing = try StorageFile.read(path) {
            let text = String(decoding: existing, as: UTF8.self).trimmingWhitespaceAndNewlines()
            guard !text.isEmpty else { throw NotaryError(.noStorage, log: "\(path) is empty") }
            return text
        }
        let generated = Hex.encode(SecureRandom.bytes(32))
        try StorageFile.write(Array((generated + "\n").utf8), to: path, mode: 0o600)
        logger.notice("generated a passphrase for the server's keys in \(path) (mode 0600); set SIGNET_SERVER_KEY_PASSPHRASE or key_passphrase in the config to use your own")
        return generated
    }
}
