import FoundationEssentials
import Glibc
import Logging
import SignetCrypto
import SignetSupport
import SignetTUF

/// The server's keys as files, the embedded default `ServerKeyStore` (next to `FileStore`).
///
/// Keys live in `<storage>/keys/<sha256 hex of GUN>/<role>/<created ns>-<key ID>.pem` as
/// `ServerKeySealing`'s encrypted PKCS#8, mode 0600; the created time in the name orders a role's
/// keys. Adding holds an exclusive `flock` on the role's directory, so servers sharing the
/// directory (and threads of one server) never both store a role's first key.
package final class FileKeyStore: ServerKeyStore {
    package let directory: String
    package let sealing: ServerKeySealing

    /// - Parameters:
    ///   - directory: `<storage>/keys`, created 0700 if missing.
    ///   - algorithm: `.ed25519` (notary-server's local signer default) or `.ecdsa`.
    ///   - passphrase: encrypts and decrypts key files; never logged.
    ///   - kdf: key derivation for new key files (default PBKDF2-HMAC-SHA256, 600,000 iterations).
    /// - Throws: `NotaryError(.updating)` when the directory cannot be created.
    package init(directory: String, algorithm: KeyAlgorithm, passphrase: String,
                 kdf: KeyDerivation = .pbkdf2SHA256(iterations: 600_000)) throws {
        self.directory = directory
        sealing = ServerKeySealing(algorithm: algorithm, passphrase: passphrase, kdf: kdf)
        try StorageFile.makeDirectory(directory)
    }

    /// The server's key store in `<storageDirectory>/keys` (created, mode 0700), with the
    /// algorithm and key derivation of `settings` and the passphrase
    /// `ServerKeySealing.resolvePassphrase` finds.
    /// - Throws: `NotaryError(.updating)` when a directory or the passphrase file cannot be
    ///   created; `NotaryError(.noStorage)` for an empty passphrase file.
    package static func open(storageDirectory: String, settings: TrustServerSettings, logger: Logger) throws -> FileKeyStore {
        let passphrase = try ServerKeySealing.resolvePassphrase(settings: settings, storageRoot: storageDirectory, logger: logger)
        return try FileKeyStore(directory: storageDirectory + "/keys", algorithm: settings.keyAlgorithm,
                                passphrase: passphrase, kdf: settings.keyDerivation)
    }

    private func roleDirectory(gun: String, role: String) throws -> String {
        try StorageNames.checkRole(role, gun: gun)
        return "\(directory)/\(FileStore.gunID(gun))/\(role)"
    }

    /// Key files of a GUN's role, oldest first: (file name, key ID, created); none when the role
    /// has no directory yet.
    /// - Throws: `StorageError(.io)` naming the GUN and role when the directory exists but cannot
    ///   be listed: never "no keys", which would have a new key generated beside the stored one.
    private func keyFiles(gun: String, role: String) throws -> [(file: String, id: String, created: Date)] {
        let directory = try roleDirectory(gun: gun, role: role)
        guard FileManager.default.fileExists(atPath: directory) else { return [] }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw StorageError(.io, gun: gun, role: role, "cannot list the server keys in \(directory): \(FileErrorText.describe(error))")
        }
        return names.filter { $0.hasSuffix(".pem") && !$0.hasPrefix(".") }.sorted().compactMap { name in
            let stem = name.dropLast(4)
            guard let dash = stem.firstIndex(of: "-"), let nanoseconds = UInt64(stem[..<dash]) else { return nil }
            return (name, String(stem[stem.index(after: dash)...]), Date(timeIntervalSince1970: Double(nanoseconds) / 1_000_000_000))
        }
    }

    package func keyIDs(gun: String, role: String) throws -> [String] {
        try keyFiles(gun: gun, role: role).map(\.id)
    }

    package func storedKey(gun: String, role: String, keyID: String) throws -> StoredServerKey? {
        guard let file = try keyFiles(gun: gun, role: role).first(where: { $0.id == keyID }),
              let bytes = try StorageFile.read("\(try roleDirectory(gun: gun, role: role))/\(file.file)") else { return nil }
        return StoredServerKey(gun: gun, role: role, keyID: keyID, created: file.created, encryptedPEM: bytes)
    }

    @discardableResult
    package func add(_ key: StoredServerKey, onlyIfNone: Bool) throws -> Bool {
        let roleDirectory = try roleDirectory(gun: key.gun, role: key.role)
        // A key ID names the file: it must be one path component.
        guard !key.keyID.isEmpty, key.keyID.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") || $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }) else {
            throw StorageError(.invalidName, gun: key.gun, role: key.role, "server key ID \(key.keyID.prefix(80)) is not lowercase hex")
        }
        try StorageFile.makeDirectory(roleDirectory)
        let fd = Glibc.open(roleDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageFile.failure("opening", roleDirectory) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StorageFile.failure("locking", roleDirectory) }
        }
        defer { flock(fd, LOCK_UN) }
        let existing = try keyFiles(gun: key.gun, role: key.role)
        if existing.contains(where: { $0.id == key.keyID }) || (onlyIfNone && !existing.isEmpty) { return false }
        let stamp = UInt64(max(0, key.created.timeIntervalSince1970) * 1_000_000_000).zeroPadded(20)
        try StorageFile.write(key.encryptedPEM, to: "\(roleDirectory)/\(stamp)-\(key.keyID).pem", mode: 0o600)
        return true
    }

    package func delete(gun: String) throws {
        try StorageNames.checkGUN(gun)
        try? FileManager.default.removeItem(atPath: "\(directory)/\(FileStore.gunID(gun))")
    }
}
