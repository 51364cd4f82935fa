import SignetCrypto
import SignetSupport
import SignetTUF

/// The client config's `trust_pinning` section (Notary `trustpinning/trustpin.go`, reference §1.4):
/// which root a GUN must have instead of trust on first use.
///
/// For a GUN, the first of these that exists is the pin (Notary's precedence):
/// 1. `certs[GUN]` — a list of root key IDs (TUF or canonical key IDs, 64 hex digits); one of
///    them must sign the root (`RootPin.anyOf` of `.keyID`s);
/// 2. the longest `certs["prefix*"]` whose prefix the GUN starts with (compared as bytes);
/// 3. the longest `ca["prefix"]` the GUN starts with — a PEM CA bundle file (at most 1 MiB, 16
///    certificates) to which a root key's leaf certificate must chain (`RootPin.certificateAuthority`);
/// 4. otherwise none: trust on first use, unless `disable_tofu` is true, when a collection with no
///    trusted root yet is refused (Notary: "invalid trust pinning specified").
///
/// Bounds: at most `maxEntries` entries in `certs` and in `ca`, `maxKeyIDs` key IDs per entry.
package struct TrustPinning: Sendable {
    /// GUN (or `prefix*`) → root key IDs, lower case.
    package var certs: [String: [String]] = [:]
    /// GUN prefix → CA bundle file (resolved against the config's directory).
    package var ca: [String: String] = [:]
    package var disableTOFU = false

    package static let maxEntries = 4096
    package static let maxKeyIDs = 64

    package init() {}

    /// Reads `trust_pinning` from the config at `configPath`.
    /// - Throws: `ClientError(.usage)` naming the config file and the key for a wrong type, an
    ///   entry that is not a valid GUN (or GUN prefix with `*`), a key ID that is not 64 hex digits,
    ///   or more entries than the bounds.
    init(json: JSONValue, configPath: String, resolve: (String) -> String) throws {
        func bad(_ what: String) -> ClientError { ClientError(.usage, "client config \(configPath): trust_pinning.\(what)") }
        guard let object = json.objectValue else { throw bad("must be an object") }
        if let certs = object["certs"], !certs.isNull {
            guard let entries = certs.objectValue else { throw bad("certs must be an object of GUN → [key ID]") }
            guard entries.count <= Self.maxEntries else { throw bad("certs has more than \(Self.maxEntries) entries") }
            for (gun, ids) in entries {
                try Self.validatePattern(gun, what: "certs key \"\(gun)\"", bad: bad)
                guard let list = ids.arrayValue, list.count <= Self.maxKeyIDs else {
                    throw bad("certs[\"\(gun)\"] must be a list of at most \(Self.maxKeyIDs) key IDs")
                }
                self.certs[gun] = try list.map { id in
                    guard let text = id.stringValue, text.utf8.count == 64, Hex.decode(text) != nil else {
                        throw bad("certs[\"\(gun)\"] holds \(id.stringValue.map { "\"\($0)\"" } ?? id.typeName), not a key ID of 64 hex digits")
                    }
                    return text.lowercased()
                }
            }
        }
        if let ca = object["ca"], !ca.isNull {
            guard let entries = ca.objectValue else { throw bad("ca must be an object of GUN prefix → CA file") }
            guard entries.count <= Self.maxEntries else { throw bad("ca has more than \(Self.maxEntries) entries") }
            for (prefix, file) in entries {
                guard let path = file.stringValue, !path.isEmpty else { throw bad("ca[\"\(prefix)\"] must be a file name") }
                self.ca[prefix] = resolve(path)
            }
        }
        if let disable = object["disable_tofu"], !disable.isNull {
            guard let flag = disable.boolValue else { throw bad("disable_tofu must be true or false") }
            disableTOFU = flag
        }
    }

    /// A `certs` key: a GUN, or a GUN prefix ending in `*`.
    private static func validatePattern(_ pattern: String, what: String, bad: (String) -> ClientError) throws {
        let name = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
        guard !name.isEmpty, !name.contains("*"), name.utf8.count <= 255, !name.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F }) else {
            throw bad("\(what) is not a GUN or a GUN prefix ending in *")
        }
    }

    /// The pin for `gun` (see the type's precedence), or nil for none.
    /// - Throws: what `CertificateFile.readBundle` throws for an unreadable CA file.
    package func pin(for gun: String) throws -> RootPin? {
        if let ids = certs[gun] { return .anyOf(ids.map(RootPin.keyID)) }
        let wildcard = certs.keys.filter { $0.hasSuffix("*") && gun.utf8.starts(with: $0.utf8.dropLast()) }
            .max { $0.utf8.count < $1.utf8.count }
        if let wildcard, let ids = certs[wildcard] { return .anyOf(ids.map(RootPin.keyID)) }
        let prefix = ca.keys.filter { gun.utf8.starts(with: $0.utf8) }.max { $0.utf8.count < $1.utf8.count }
        if let prefix, let file = ca[prefix] {
            return .certificateAuthority(try CertificateFile.readBundle(file, what: "trust_pinning.ca[\"\(prefix)\"] CA bundle"))
        }
        return nil
    }
}
