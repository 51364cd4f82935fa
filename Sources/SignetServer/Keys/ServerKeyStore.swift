import FoundationEssentials
import Logging
import SignetCrypto
import SignetSupport
import SignetTUF
import Synchronization

/// The keys the server holds for collections: the timestamp key of every GUN and the snapshot key
/// of GUNs whose snapshot the server manages (Notary's signer, reference §2.6, §5.2).
///
/// Keys live in `<storage>/keys/<sha256 hex of GUN>/<role>/<created ns>-<key ID>.pem` as encrypted
/// PKCS#8 (`ENCRYPTED PRIVATE KEY`, PBKDF2-HMAC-SHA256, AES-256-CBC), mode 0600. Decrypted keys are
/// cached in memory so that signing a timestamp does not pay the key derivation again.
package final class ServerKeyStore: Sendable {
    package let directory: String
    package let algorithm: KeyAlgorithm
    private let passphrase: String
    private let kdf: KeyDerivation
    /// Decrypted keys by key ID.
    private let cache = Mutex<[String: PrivateKey]>([:])

    /// - Parameters:
    ///   - directory: `<storage>/keys`, created 0700 if missing.
    ///   - algorithm: `.ed25519` (notary-server's local signer default) or `.ecdsa`.
    ///   - passphrase: encrypts and decrypts key files; never logged.
    ///   - kdf: key derivation for new key files (default PBKDF2-HMAC-SHA256, 600,000 iterations).
    package init(directory: String, algorithm: KeyAlgorithm, passphrase: String,
                kdf: KeyDerivation = .pbkdf2SHA256(iterations: 600_000)) throws {
        self.directory = directory
        self.algorithm = algorithm
        self.passphrase = passphrase
        self.kdf = kdf
        try StorageFile.makeDirectory(directory)
    }

    /// Only `timestamp` and `snapshot` keys are held by the server.
    package static func isServerRole(_ role: String) -> Bool { role == RoleName.timestamp || role == RoleName.snapshot }

    private func roleDirectory(gun: String, role: String) -> String {
        "\(directory)/\(FileStore.gunID(gun))/\(role)"
    }

    /// Key files of a GUN's role, newest first: (file name, key ID).
    private func keyFiles(gun: String, role: String) -> [(file: String, id: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: roleDirectory(gun: gun, role: role))) ?? []
        return names.filter { $0.hasSuffix(".pem") && !$0.hasPrefix(".") }.sorted(by: >).compactMap { name in
            let stem = name.dropLast(4)
            guard let dash = stem.firstIndex(of: "-") else { return nil }
            return (name, String(stem[stem.index(after: dash)...]))
        }
    }

    private func privateKey(gun: String, role: String, file: String, id: String) throws -> PrivateKey {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        let path = "\(roleDirectory(gun: gun, role: role))/\(file)"
        guard let bytes = try StorageFile.read(path), let block = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)).first else {
            throw NotaryError(.unknown, log: "server key file \(path) is missing or not PEM")
        }
        let key = try PrivateKey(pemBlock: block, passphrase: passphrase)
        cache.withLock { $0[id] = key }
        return key
    }

    /// Creates a new key for `gun`'s `role` and returns its public TUF key (Notary `POST <role>.key`).
    @discardableResult
    package func create(gun: String, role: String) throws -> TUFKey {
        let key = try PrivateKey.generate(algorithm)
        let tufKey = TUFKey(publicKey: key.publicKey)
        let pem = PEMBlock(type: "ENCRYPTED PRIVATE KEY", der: try key.encryptedPKCS8DER(passphrase: passphrase, kdf: kdf)).encoded()
        let directory = roleDirectory(gun: gun, role: role)
        try StorageFile.makeDirectory(directory)
        let stamp = UInt64(Date().timeIntervalSince1970 * 1_000_000_000).zeroPadded(20)
        try StorageFile.write(Array(pem.utf8), to: "\(directory)/\(stamp)-\(tufKey.id).pem", mode: 0o600)
        cache.withLock { $0[tufKey.id] = key }
        return tufKey
    }

    /// The key `GET <role>.key` returns: the first key of `role` in `root` that the server holds,
    /// else the newest pending key, else a new one.
    package func getOrCreate(gun: String, role: String, root: Root?) throws -> TUFKey {
        if let root, let signer = try signer(gun: gun, role: role, root: root) { return signer.key }
        if let newest = keyFiles(gun: gun, role: role).first {
            return TUFKey(publicKey: try privateKey(gun: gun, role: role, file: newest.file, id: newest.id).publicKey)
        }
        return try create(gun: gun, role: role)
    }

    /// A key listed for `role` in `root` that the server holds, with its private key, or nil.
    package func signer(gun: String, role: String, root: Root) throws -> RoleSigner? {
        guard let listed = root.roles[role]?.keyIDs else { return nil }
        let held = keyFiles(gun: gun, role: role)
        for id in listed {
            guard let file = held.first(where: { $0.id == id }) else { continue }
            let privateKey = try privateKey(gun: gun, role: role, file: file.file, id: id)
            guard let key = root.keys[id] else { continue }
            return RoleSigner(key: key, privateKey: privateKey)
        }
        return nil
    }

    /// Removes every key of `gun` (after `DELETE`).
    package func delete(gun: String) {
        try? FileManager.default.removeItem(atPath: "\(directory)/\(FileStore.gunID(gun))")
    }
}
