import SignetCrypto

/// What a client pins the root of a collection to, instead of trusting it on first use
/// (Notary `trust_pinning`, reference §1.4).
public enum RootPin: Sendable {
    /// The root role must list this certificate (compared by DER).
    case certificate(Certificate)
    /// The root role must list a key with this public key (plain or inside a certificate).
    case publicKey(PublicKey)
    /// The root role must list this key ID, either the TUF key ID or Notary's canonical key ID.
    case keyID(String)

    /// Throws `TUFError(.untrustedRoot)` unless one of the root role's keys matches the pin.
    func check(_ root: Root) throws {
        let roleKeys = (try? root.roleKeys(RoleName.root).keys.values.map { $0 }) ?? []
        for key in roleKeys {
            switch self {
            case .certificate(let pinned):
                if let bundle = try? key.certificates(), bundle.contains(where: { $0.der == pinned.der }) { return }
            case .publicKey(let pinned):
                if let actual = try? key.publicKey(), actual.spkiDER == pinned.spkiDER { return }
            case .keyID(let pinned):
                let wanted = pinned.lowercased()
                if key.id == wanted || (try? key.canonicalID()) == wanted { return }
            }
        }
        let listed = roleKeys.map { $0.id }.sorted().joined(separator: ", ")
        throw TUFError(.untrustedRoot, "root v\(root.version) does not match the pinned \(description) (root keys: \(listed))", role: RoleName.root)
    }

    var description: String {
        switch self {
        case .certificate(let cert): return "certificate \(cert.subjectDescription)"
        case .publicKey: return "public key"
        case .keyID(let id): return "key ID \(id)"
        }
    }
}

/// Root acceptance rules shared by the client's update and the server's publish validation
/// (reference §3.10).
public enum RootRules {
    /// The root role's keys that are usable for `gun` at `now`: x509 certificates whose leaf CN is
    /// the GUN (or a `prefix*` wildcard matching it), valid at `now` (NotBefore may be up to one day
    /// ahead), not SHA-1 signed, RSA ≥ 2048 bits.
    /// - Returns: the usable keys, and the reasons each other key was refused.
    public static func validRootKeys(_ root: Root, gun: String, at now: TUFTime, checkExpiry: Bool = true) -> (keys: [String: TUFKey], refused: [String]) {
        var valid: [String: TUFKey] = [:]
        var refused: [String] = []
        let listed = (try? root.roleKeys(RoleName.root).keys) ?? [:]
        for (id, key) in listed {
            guard key.isX509 else {
                refused.append("key \(SignatureThreshold.short(id)) is \(key.keyType), root keys must be certificates")
                continue
            }
            let leaf: Certificate
            do { leaf = try key.leafCertificate() } catch {
                refused.append("\(error)")
                continue
            }
            if let problem = problem(with: leaf, gun: gun, at: now, checkExpiry: checkExpiry) {
                refused.append("certificate of key \(SignatureThreshold.short(id)): \(problem)")
                continue
            }
            valid[id] = key
        }
        return (valid, refused)
    }

    /// Why `certificate` cannot be a root certificate of `gun` at `now`, or nil when it can: its CN
    /// must equal the GUN byte for byte (or be a `prefix*` wildcard whose bytes start it; `ExactName`), it must be valid
    /// at `now` (NotBefore may be up to one day ahead), not SHA-1 signed, and RSA keys ≥ 2048 bits
    /// (reference §3.10).
    public static func problem(with certificate: Certificate, gun: String, at now: TUFTime, checkExpiry: Bool = true) -> String? {
        let commonName = certificate.commonName ?? ""
        let matches = ExactName.equal(commonName, gun) || (commonName.hasSuffix("*") && ExactName.hasPrefix(gun, commonName.dropLast()))
        guard matches else {
            return "CN \"\(RoleName.printable(commonName))\" does not match the GUN \(gun)"
        }
        if checkExpiry {
            if certificate.notAfter < now.date { return "expired at \(TUFTime(certificate.notAfter).text)" }
            if certificate.notBefore > now.date.addingTimeInterval(86400) {
                return "not valid before \(TUFTime(certificate.notBefore).text)"
            }
        }
        if certificate.usesSHA1Signature { return "signed with SHA-1" }
        if certificate.publicKey.algorithm == .rsa, certificate.publicKey.bits < 2048 {
            return "has a \(certificate.publicKey.bits)-bit RSA key"
        }
        return nil
    }

    /// Verifies a root file on its own: parses it, keeps the valid root keys, and checks its own
    /// threshold over them; with `previous`, also checks the previous root's threshold over the
    /// previous root's keys (certificates not checked for expiry) — TUF §5.3.4, Notary
    /// `tuf/builder.go`.
    /// - Throws: `TUFError(.untrustedRoot)` when no root key is usable, `.threshold` when a
    ///   threshold is not met, parse errors from `Root(signed:)`.
    public static func verify(_ file: MetadataFile, gun: String, at now: TUFTime, previous: Root? = nil, checkExpiry: Bool = true) throws -> Root {
        let root = try Root(signed: file.signed)
        let (valid, refused) = validRootKeys(root, gun: gun, at: now, checkExpiry: checkExpiry)
        guard !valid.isEmpty else {
            throw TUFError(.untrustedRoot, "root v\(root.version) has no valid root certificate for \(gun): \(refused.joined(separator: "; "))", role: RoleName.root)
        }
        if let previous {
            let (previousKeys, previousThreshold) = try previous.roleKeys(RoleName.root)
            do {
                try SignatureThreshold.verify(file, role: RoleName.root, keys: previousKeys, threshold: previousThreshold)
            } catch let error as TUFError {
                throw TUFError(error.code, "root v\(root.version) is not signed by the keys of trusted root v\(previous.version): \(error.message)", role: RoleName.root)
            }
        }
        try SignatureThreshold.verify(file, role: RoleName.root, keys: valid, threshold: root.roles[RoleName.root]!.threshold)
        return root
    }
}
