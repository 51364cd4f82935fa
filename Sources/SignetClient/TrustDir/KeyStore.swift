import Dispatch
import FoundationEssentials
import SignetCrypto
import SignetSupport
import SignetTUF
import Synchronization

/// A private key file in the trust dir: `private/<canonicalKeyID>.key` with `role:` and (for
/// targets, snapshot and timestamp keys) `gun:` PEM headers, as Notary 0.7 writes them (§4).
package struct StoredKey: Sendable {
    package init(id: String, role: String, gun: String?, file: URL, block: PEMBlock) {
        self.id = id; self.role = role; self.gun = gun; self.file = file; self.block = block
    }
    /// Canonical key ID (the file's base name).
    package var id: String
    package var role: String
    package var gun: String?
    package var file: URL
    package var block: PEMBlock
}

/// The trust dir's private keys: listing, loading with passphrases, saving encrypted.
package struct KeyStore: Sendable {
    package var directory: TrustDirectory
    package var passphrases: PassphraseSource
    /// Key derivation for newly written keys (PBKDF2-SHA1, readable by Notary 0.7).
    package var kdf: KeyDerivation = .default
    /// The signing agent to ask first (`signet agent start`), or nil to unlock every key from its
    /// file. A key the agent holds is signed with by the agent (`AgentSigner`, which verifies each
    /// signature) and never unlocked here.
    package var agent: AgentClient?

    package init(directory: TrustDirectory, passphrases: PassphraseSource = PassphraseSource()) {
        self.directory = directory
        self.passphrases = passphrases
    }

    /// Every key under `private/` (recursively; the file's base name is the key ID). A `.key` file
    /// that is not a readable PEM private key is left out; `unusableKeyFiles()` names it and why.
    package func list() -> [StoredKey] { scan().keys }

    /// The `.key` files under `private/` that `list()` leaves out, each with the reason (cannot be
    /// read, over 1 MiB, not PEM, no `PRIVATE KEY` block), so that commands can say so instead of
    /// acting as if the key were not there.
    package func unusableKeyFiles() -> [(file: URL, reason: String)] { scan().unusable }

    private func scan() -> (keys: [StoredKey], unusable: [(file: URL, reason: String)]) {
        let base = directory.privateDirectory
        var keys: [StoredKey] = []
        var unusable: [(file: URL, reason: String)] = []
        for relative in DirectoryWalk.relativePaths(under: base, pathExtension: "key") {
            let file = base.appendingPathComponent(relative)
            let blocks: [PEMBlock]
            do {
                blocks = try PEMBlock.parseAll(String(decoding: try BoundedFile.read(file, maxLength: 1 << 20, what: "key file"), as: UTF8.self))
            } catch {
                unusable.append((file, "\(error)"))
                continue
            }
            guard let block = blocks.first(where: { $0.type.hasSuffix("PRIVATE KEY") }) else {
                unusable.append((file, "no PEM PRIVATE KEY block"))
                continue
            }
            let id = file.deletingPathExtension().lastPathComponent
            keys.append(StoredKey(id: id, role: block.header("role") ?? "unknown", gun: block.header("gun"), file: file, block: block))
        }
        return (keys.sorted { ($0.role, $0.gun ?? "", $0.id) < ($1.role, $1.gun ?? "", $1.id) }, unusable.sorted { $0.file.path < $1.file.path })
    }

    package func find(_ id: String) -> StoredKey? {
        list().first { $0.id == id }
    }

    /// Keys that could be a match for `id`, by prefix (for CLI arguments).
    package func resolve(_ idPrefix: String) throws -> StoredKey {
        let matches = list().filter { $0.id.hasPrefix(idPrefix.lowercased()) }
        guard matches.count == 1 else {
            throw ClientError(.key, matches.isEmpty ? "no key \(idPrefix) in \(directory.privateDirectory.path)"
                                                    : "key ID prefix \(idPrefix) is ambiguous")
        }
        return matches[0]
    }

    /// Decrypts a stored key, asking `PassphraseSource` for the passphrase of its role.
    /// - Throws: `ClientError(.key)` naming the key ID, role and variable when the passphrase is
    ///   missing or wrong.
    package func load(_ stored: StoredKey) throws -> PrivateKey {
        if !Self.isEncrypted(stored) { return try PrivateKey(pemBlock: stored.block, passphrase: nil) }
        let short = String(stored.id.prefix(7))
        let variable = PassphraseSource.variable(for: stored.role)
        if let (value, source) = passphrases.fromEnvironment(role: stored.role) {
            do { return try PrivateKey(pemBlock: stored.block, passphrase: value) } catch let error as CryptoError where error.code == .wrongPassphrase {
                throw ClientError(.key, "wrong passphrase for \(stored.role) key \(stored.id) (from \(source))")
            }
        }
        guard passphrases.interactive else {
            throw ClientError(.key, "\(stored.role) key \(stored.id) is encrypted and no passphrase is available: set \(variable)")
        }
        for _ in 0..<3 {
            guard let value = passphrases.prompt("Enter passphrase for \(stored.role) key with ID \(short): ") else { break }
            do { return try PrivateKey(pemBlock: stored.block, passphrase: value) } catch let error as CryptoError where error.code == .wrongPassphrase {
                SystemFile.writeStandardError("Wrong passphrase.\n")
            }
        }
        throw ClientError(.key, "wrong passphrase for \(stored.role) key \(stored.id)")
    }

    /// The PEM block Notary writes for `key`: encrypted PKCS#8, `role:` and, for targets,
    /// snapshot and timestamp keys, `gun:`.
    package func encryptedBlock(_ key: PrivateKey, role: String, gun: String?, passphrase: String) throws -> PEMBlock {
        var headers: [(name: String, value: String)] = [("role", role)]
        if let gun, [RoleName.targets, RoleName.snapshot, RoleName.timestamp].contains(role) { headers.append(("gun", gun)) }
        return PEMBlock(type: "ENCRYPTED PRIVATE KEY", headers: headers,
                        der: try key.encryptedPKCS8DER(passphrase: passphrase, kdf: kdf))
    }

    /// Saves `key` encrypted with the role's passphrase; returns its canonical ID.
    @discardableResult
    package func save(_ key: PrivateKey, role: String, gun: String?) throws -> String {
        let id = TUFKey(publicKey: key.publicKey).id
        let passphrase = try passphrases.newPassphrase(role: role, keyID: id)
        try write(try encryptedBlock(key, role: role, gun: gun, passphrase: passphrase), id: id)
        return id
    }

    /// Writes a PEM block as `private/<id>.key` (0600).
    package func write(_ block: PEMBlock, id: String) throws {
        guard Hex.decode(id) != nil, id.count == 64 else { throw ClientError(.key, "invalid key ID \(id)") }
        try ClientFile.makeDirectory(directory.privateDirectory)
        try ClientFile.write(Array(block.encoded().utf8), to: directory.privateDirectory.appendingPathComponent("\(id).key"), mode: 0o600)
    }

    /// Generates a P-256 key for `role` and saves it.
    package func generate(role: String, gun: String?) throws -> PrivateKey {
        let key = try PrivateKey.generate(.ecdsa)
        try save(key, role: role, gun: gun)
        return key
    }

    /// What signs for those of `keys` held here (matched by canonical ID): the signing agent when
    /// it holds the key (the one place that chooses between agent and key file), else the private
    /// half loaded from its file. Keys neither holds are skipped; a held key that cannot be
    /// decrypted throws. Keys found in `unlocked` are taken from there (a failed decryption is
    /// rethrown here).
    /// - Throws: also the agent's `ClientError` when an agent is there but cannot be used.
    package func signers(for keys: [TUFKey], unlocked: UnlockedKeys = UnlockedKeys()) throws -> [RoleSigner] {
        var signers: [RoleSigner] = []
        let held = Dictionary(list().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let agentHeld = try agent?.heldKeyIDs() ?? []
        for key in keys {
            guard let material = try? key.material() else { continue }
            let canonical = material.canonicalID
            if let agent, agentHeld.contains(canonical) {
                signers.append(RoleSigner(key: key, signer: AgentSigner(agent: agent, material: material)))
                continue
            }
            guard let stored = held[canonical] else { continue }
            let privateKey = try unlocked.results[canonical].map { try $0.get() } ?? load(stored)
            signers.append(RoleSigner(key: key, privateKey: privateKey))
        }
        return signers
    }

    /// Private keys decrypted ahead of use, by canonical key ID. A decryption that failed is kept
    /// as its error, to be thrown where (and if) the key is used, exactly as `load` would.
    package struct UnlockedKeys: Sendable {
        var results: [String: Result<PrivateKey, any Error>] = [:]
        package init() {}
    }

    /// Decrypts the encrypted keys this store holds among `keys` (each canonical key ID once)
    /// concurrently, on as many threads as `DispatchQueue.concurrentPerform` uses (about one per
    /// core): every encrypted key costs a full KDF run (the default PBKDF2-SHA1 with 1.3 M
    /// iterations, ~0.5 s), and a publish needs at least two (targets and snapshot). The KDF is
    /// unchanged; only the waiting overlaps. Unencrypted keys are left for `signers` to load.
    /// Done only when two or more of the selected keys are encrypted and every one of them has its
    /// passphrase in the environment (so no prompt can be needed); otherwise the result is empty
    /// and `signers` decrypts one by one. A decryption that fails is kept as its error.
    /// Keys the signing agent holds are left out (they are never unlocked here).
    package func unlock(_ keys: [TUFKey]) -> UnlockedKeys {
        let held = Dictionary(list().map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var seen = (try? agent?.heldKeyIDs()) ?? []
        var selected: [(id: String, stored: StoredKey)] = []
        for key in keys {
            guard let canonical = try? key.canonicalID(), let stored = held[canonical], seen.insert(canonical).inserted else { continue }
            selected.append((canonical, stored))
        }
        let encrypted = selected.filter { Self.isEncrypted($0.stored) }
        guard encrypted.count >= 2, encrypted.allSatisfy({ passphrases.fromEnvironment(role: $0.stored.role) != nil }) else {
            return UnlockedKeys()
        }
        let slots = ResultSlots(count: encrypted.count)
        DispatchQueue.concurrentPerform(iterations: encrypted.count) { index in
            slots.set(index, Result { try load(encrypted[index].stored) })
        }
        var unlocked = UnlockedKeys()
        for (index, entry) in encrypted.enumerated() { unlocked.results[entry.id] = slots.get(index) }
        return unlocked
    }

    static func isEncrypted(_ stored: StoredKey) -> Bool {
        stored.block.type == "ENCRYPTED PRIVATE KEY" || stored.block.header("Proc-Type")?.hasPrefix("4,ENCRYPTED") == true
    }

    /// One result per concurrent decryption, filled from several threads.
    private final class ResultSlots: Sendable {
        private let results: Mutex<[Result<PrivateKey, any Error>?]>
        init(count: Int) { results = Mutex(Array(repeating: nil, count: count)) }
        func set(_ index: Int, _ result: Result<PrivateKey, any Error>) { results.withLock { $0[index] = result } }
        func get(_ index: Int) -> Result<PrivateKey, any Error> { results.withLock { $0[index]! } }
    }

    /// True when the store, or the signing agent, holds one of `keys`.
    package func holdsAny(of keys: [TUFKey]) -> Bool {
        let held = Set(list().map(\.id)).union((try? agent?.heldKeyIDs()) ?? [])
        return keys.contains { (try? $0.canonicalID()).map(held.contains) ?? false }
    }

    package func remove(_ stored: StoredKey) throws {
        do { try FileManager.default.removeItem(at: stored.file) } catch {
            throw ClientError(.io, "cannot remove \(stored.file.path): \(FileErrorText.describe(error))")
        }
    }
}
