import SignetCrypto

/// Root acceptance rules shared by the client's update and the server's publish validation
/// (reference §3.10).
public enum RootRules {
    /// The root role's keys that are usable for `gun` at `now`: x509 certificates whose leaf CN is
    /// the GUN (or a `prefix*` wildcard matching it), valid at `now` (NotBefore may be up to one day
    /// ahead), not SHA-1 signed, RSA ≥ 2048 bits. The leaf is the one of the key's `KeyMaterial`,
    /// the same certificate whose key verifies the root's signatures and that pins compare; a
    /// bundle without Notary's shape (leaf first, only CAs after it) is refused.
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
    /// at `now` (NotBefore may be up to one day ahead), not a CA (Notary's `parseAllCerts` takes
    /// only non-CA certificates as root leaves), not SHA-1 signed, and RSA keys ≥ 2048 bits
    /// (reference §3.10).
    public static func problem(with certificate: Certificate, gun: String, at now: TUFTime, checkExpiry: Bool = true) -> String? {
        let commonName = certificate.commonName ?? ""
        let matches = ExactName.equal(commonName, gun) || (commonName.hasSuffix("*") && ExactName.hasPrefix(gun, commonName.dropLast()))
        guard matches else {
            return "CN \"\(RoleName.printable(commonName))\" does not match the GUN \(gun)"
        }
        if checkExpiry {
            if Expiry.certificateHasExpired(notAfter: certificate.notAfter, at: now) { return "expired at \(TUFTime(certificate.notAfter).text)" }
            if Expiry.certificateIsNotYetValid(notBefore: certificate.notBefore, at: now) {
                return "not valid before \(TUFTime(certificate.notBefore).text)"
            }
        }
        if certificate.isCA {
            return "is a CA certificate; a root key must be a leaf certificate (CA:FALSE), as Notary requires"
        }
        if certificate.usesSHA1Signature { return "signed with SHA-1" }
        if certificate.publicKey.algorithm == .rsa, certificate.publicKey.bits < 2048 {
            return "has a \(certificate.publicKey.bits)-bit RSA key"
        }
        return nil
    }

    /// Verifies a root file on its own: parses it, keeps the valid root keys, and checks its own
    /// threshold over them (reference §3.10; Notary `trustpinning/certs.go`). A root that replaces
    /// a trusted one is verified by `RootRotation.verify`, which adds the previous root's threshold.
    /// - Parameter checkExpiry: judge the root certificates' validity dates (`Expiry`); the root's
    ///   own `expires` is never judged here.
    /// - Throws: `TUFError(.untrustedRoot)` when no root key is usable, `.threshold` when the
    ///   threshold is not met, parse errors from `Root(signed:)`.
    public static func verify(_ file: MetadataFile, gun: String, at now: TUFTime, checkExpiry: Bool = true) throws -> Root {
        let (root, valid) = try parseWithUsableKeys(file, gun: gun, at: now, checkExpiry: checkExpiry)
        try verifyOwnThreshold(file, root: root, keys: valid)
        return root
    }

    /// The root in `file` and its usable root keys (`usableRootKeys`).
    /// - Throws: `usableRootKeys`' error; parse errors from `Root(signed:)`.
    static func parseWithUsableKeys(_ file: MetadataFile, gun: String, at now: TUFTime, checkExpiry: Bool) throws -> (root: Root, keys: [String: TUFKey]) {
        let root = try Root(signed: file.signed)
        return (root, try usableRootKeys(root, gun: gun, at: now, checkExpiry: checkExpiry))
    }

    /// `validRootKeys`, refusing a root that has none.
    /// - Throws: `TUFError(.untrustedRoot)` naming every refused key when none is usable.
    static func usableRootKeys(_ root: Root, gun: String, at now: TUFTime, checkExpiry: Bool) throws -> [String: TUFKey] {
        let (valid, refused) = validRootKeys(root, gun: gun, at: now, checkExpiry: checkExpiry)
        guard !valid.isEmpty else {
            throw TUFError(.untrustedRoot, "root v\(root.version) has no valid root certificate for \(gun): \(refused.joined(separator: "; "))", role: RoleName.root)
        }
        return valid
    }

    /// Throws `TUFError(.threshold)` unless `file` carries signatures of `root`'s own root
    /// threshold of distinct keys among `keys` (its usable root keys).
    static func verifyOwnThreshold(_ file: MetadataFile, root: Root, keys: [String: TUFKey]) throws {
        try SignatureThreshold.verify(file, role: RoleName.root, keys: keys, threshold: try root.roleKeys(RoleName.root).threshold)
    }
}
