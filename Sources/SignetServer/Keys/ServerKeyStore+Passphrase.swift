import FoundationEssentials
import Logging
import SignetCrypto
import SignetSupport

extension ServerKeyStore {
    /// The server's key store in `<storageDirectory>/keys` (created, mode 0700), with the
    /// algorithm and key derivation of `settings` and the passphrase `resolvePassphrase` finds.
    /// - Throws: `NotaryError(.updating)` when a directory or the passphrase file cannot be
    ///   created; `NotaryError(.noStorage)` for an empty passphrase file.
    package static func open(storageDirectory: String, settings: TrustServerSettings, logger: Logger) throws -> ServerKeyStore {
        let passphrase = try resolvePassphrase(settings: settings, storageRoot: storageDirectory, logger: logger)
        return try ServerKeyStore(directory: storageDirectory + "/keys", algorithm: settings.keyAlgorithm,
                                  passphrase: passphrase, kdf: settings.keyDerivation)
    }

    /// Config/`--config` passphrase, else `SIGNET_SERVER_KEY_PASSPHRASE`, else the contents of
    /// `<storage>/server-key-passphrase`, created (0600, 32 random bytes as hex) on first start.
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
