import SignetCrypto

/// What a client pins the root of a collection to, instead of trusting it on first use
/// (Notary `trust_pinning`, reference §1.4).
///
/// A pin is met when a root key matching it *signs* the root, not merely when the root lists such
/// a key: anyone can list the pinned certificate (it is public) beside their own. Notary likewise
/// verifies a pinned root's signatures with the pinned certificates only
/// (`trustpinning/certs.go`, `ValidateRoot`). Each root key is judged by its one `KeyMaterial`:
/// the certificate pin compares the key's leaf certificate, the key pin its verifying key's
/// identity, so no other certificate of a bundle can satisfy a pin.
public enum RootPin: Sendable {
    /// A root key's leaf certificate must be this certificate (compared by DER).
    case certificate(Certificate)
    /// A root key's verifying key (plain or a leaf certificate's) must be this key, compared by
    /// `KeyIdentity` (canonical form, so no other encoding of it matches another key).
    case publicKey(PublicKey)
    /// A root key must have this key ID, either the TUF key ID or Notary's canonical key ID.
    case keyID(String)
    /// A root key's leaf certificate must chain to one of these CA certificates (through the
    /// intermediates of its own bundle), valid at the instant judged: Notary's `trust_pinning.ca`.
    case certificateAuthority([Certificate])
    /// Any one of these pins (Notary's `trust_pinning.certs` list of key IDs for a GUN).
    indirect case anyOf([RootPin])

    /// Whether `key` is the pinned key at `now`. Keys that do not decode never match.
    func matches(_ key: TUFKey, at now: TUFTime) -> Bool {
        guard let material = try? key.material() else { return false }
        switch self {
        case .certificate(let pinned): return material.certificate?.der == pinned.der
        case .publicKey(let pinned): return material.publicKey.identity == pinned.identity
        case .keyID(let pinned):
            let wanted = pinned.lowercased()
            return key.id == wanted || material.canonicalID == wanted
        case .certificateAuthority(let authorities):
            guard let leaf = material.certificate else { return false }
            return (try? leaf.verifyChain(roots: authorities, intermediates: material.intermediates, at: now.date)) != nil
        case .anyOf(let pins):
            return pins.contains { $0.matches(key, at: now) }
        }
    }

    /// Throws unless a valid root key of `root` (`RootRules.validRootKeys`, certificates not
    /// judged for expiry) matches the pin and has signed `file`, the root's own file.
    /// - Throws: `TUFError(.untrustedRoot)` when no root key matches the pin, or when none of
    ///   those that match signed the root.
    func check(_ root: Root, file: MetadataFile, gun: String, at now: TUFTime) throws {
        let listed = (try? root.roleKeys(RoleName.root).keys) ?? [:]
        let valid = RootRules.validRootKeys(root, gun: gun, at: now, checkExpiry: false).keys
        let pinned = valid.filter { matches($0.value, at: now) }
        guard !pinned.isEmpty else {
            let ids = listed.keys.sorted().joined(separator: ", ")
            throw TUFError(.untrustedRoot, "root v\(root.version) does not match the pinned \(description) (root keys: \(ids))", role: RoleName.root)
        }
        do {
            try SignatureThreshold.verify(file, role: RoleName.root, keys: pinned, threshold: 1)
        } catch let error as TUFError {
            throw TUFError(.untrustedRoot, "root v\(root.version) lists the pinned \(description) but is not signed by it: \(error.message)", role: RoleName.root)
        }
    }

    var description: String {
        switch self {
        case .certificate(let cert): return "certificate \(cert.subjectDescription)"
        case .publicKey: return "public key"
        case .keyID(let id): return "key ID \(id)"
        case .certificateAuthority(let authorities): return "CA \(authorities.map(\.subjectDescription).joined(separator: ", "))"
        case .anyOf(let pins): return pins.map(\.description).joined(separator: " or ")
        }
    }
}
