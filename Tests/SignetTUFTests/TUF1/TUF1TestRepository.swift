import Foundation
import SignetCrypto
import SignetTUF

/// A signing key of a TUF 1.0 test repository: a real key and its TUF 1.0 key object.
struct TUF1TestKey {
    let privateKey: PrivateKey
    let json: JSONValue
    let id: String

    /// A fresh key: `ed25519` (hex public value) or `ecdsa` / `ecdsa-sha2-nistp256` (PEM).
    /// `extra` members are added to the key object (they change its key ID).
    static func generate(_ algorithm: KeyAlgorithm = .ed25519, extra: [String: JSONValue] = [:]) throws -> TUF1TestKey {
        try TUF1TestKey(privateKey: PrivateKey.generate(algorithm), extra: extra)
    }

    init(privateKey: PrivateKey, extra: [String: JSONValue] = [:]) throws {
        self.privateKey = privateKey
        var members: [String: JSONValue]
        switch privateKey.algorithm {
        case .ed25519:
            members = ["keytype": .string("ed25519"), "scheme": .string("ed25519"),
                       "keyval": .object(["public": .string(Hex.encode(privateKey.publicKey.rawEd25519!))])]
        case .ecdsa:
            members = ["keytype": .string("ecdsa"), "scheme": .string("ecdsa-sha2-nistp256"),
                       "keyval": .object(["public": .string(privateKey.publicKey.pem())])]
        case .rsa:
            members = ["keytype": .string("rsa"), "scheme": .string("rsassa-pss-sha256"),
                       "keyval": .object(["public": .string(privateKey.publicKey.pem())])]
        }
        members.merge(extra) { _, new in new }
        json = .object(members)
        id = Hex.encode(Digest.sha256(try CanonicalJSON.encode(json)))
    }

    /// The signature over `message` in TUF 1.0's encoding, as hex: Ed25519 raw, ECDSA DER,
    /// RSA-PSS with a 32-byte salt.
    func sign(_ message: [UInt8]) throws -> String {
        let signature = try privateKey.sign(message)
        return Hex.encode(privateKey.algorithm == .ecdsa ? Self.der(fromRaw: signature) : signature)
    }

    /// `r‖s` → DER `SEQUENCE { INTEGER r, INTEGER s }` (short lengths: P-256).
    static func der(fromRaw raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let half = raw.count / 2
        let body = integer(raw[..<half]) + integer(raw[half...])
        return [0x30, UInt8(body.count)] + body
    }
}

/// A TUF 1.0 repository built in the test with real keys, served from memory the way the TUF
/// conformance suite's simulator serves one: `publish` bumps a role's version, signs it, and
/// updates snapshot's and timestamp's entries; `requests` records every metadata fetch in order.
final class TUF1TestRepository: TUF1Remote {
    var expires = TUFTime(Date().addingTimeInterval(30 * 86400))
    var roleExpires: [String: TUFTime] = [:]
    var consistentSnapshot = true
    /// Put length and sha256 of snapshot and targets files into timestamp and snapshot.
    var computeHashes = false
    /// Key ID → key object listed in root.
    var rootKeys: [String: JSONValue] = [:]
    /// Top-level role → key IDs and threshold in root.
    var rootRoles: [String: (keyIDs: [String], threshold: Int64)] = [:]
    /// Role → the keys that sign it when published.
    var signers: [String: [TUF1TestKey]] = [:]
    var versions: [String: Int64] = [:]
    /// Targets role → target path → entry.
    var targets: [String: [String: JSONValue]] = ["targets": [:]]
    /// Targets role → its `delegations` object's `keys` and ordered `roles`.
    var delegationKeys: [String: [String: JSONValue]] = [:]
    var delegationRoles: [String: [JSONValue]] = [:]
    /// Extra members of `signed`, per role.
    var extraFields: [String: [String: JSONValue]] = [:]
    /// `ROLE.json` → version (and length, sha256) as snapshot lists it.
    var snapshotMeta: [String: JSONValue] = [:]
    var timestampSnapshot: JSONValue = .object(["version": .int(1)])
    /// Role → every published version's bytes.
    var published: [String: [[UInt8]]] = [:]
    var artifacts: [String: [UInt8]] = [:]
    /// Metadata file names fetched, in order.
    var requests: [String] = []

    init() throws {
        for role in TUF1Root.topLevelRoles {
            let key = try TUF1TestKey.generate()
            rootKeys[key.id] = key.json
            rootRoles[role] = ([key.id], 1)
            signers[role] = [key]
        }
        publish(["targets", "snapshot", "timestamp", "root"])
    }

    /// The first root's bytes, what a client is initialised with.
    var initialRoot: [UInt8] { published["root"]![0] }

    /// Adds a key to a top-level role in root (not published).
    func addRootKey(_ key: TUF1TestKey, to role: String, signs: Bool = true) {
        rootKeys[key.id] = key.json
        rootRoles[role]!.keyIDs.append(key.id)
        if signs { signers[role, default: []].append(key) }
    }

    /// Replaces every key of top-level `role` with one new key.
    func rotate(_ role: String) throws {
        let key = try TUF1TestKey.generate()
        rootKeys[key.id] = key.json
        rootRoles[role] = ([key.id], rootRoles[role]!.threshold)
        signers[role] = [key]
    }

    /// Delegates `name` from `delegator` with one new key.
    @discardableResult
    func delegate(_ name: String, from delegator: String, paths: [String]? = ["*"], hashPrefixes: [String]? = nil,
                  terminating: Bool = false, key: TUF1TestKey? = nil) throws -> TUF1TestKey {
        let key = try key ?? TUF1TestKey.generate()
        delegationKeys[delegator, default: [:]][key.id] = key.json
        var entry: [String: JSONValue] = ["name": .string(name), "keyids": .array([.string(key.id)]), "threshold": .int(1),
                                          "terminating": .bool(terminating)]
        if let paths { entry["paths"] = .array(paths.map { .string($0) }) }
        if let hashPrefixes { entry["path_hash_prefixes"] = .array(hashPrefixes.map { .string($0) }) }
        delegationRoles[delegator, default: []].append(.object(entry))
        if targets[name] == nil { targets[name] = [:] }
        signers[name, default: []].append(key)
        return key
    }

    /// Adds a target to `role` (not published).
    func addTarget(_ path: String, _ content: [UInt8], to role: String = "targets", hashes: [String]? = nil) {
        var listed: [String: JSONValue] = [:]
        for algorithm in hashes ?? ["sha256"] {
            listed[algorithm] = .string(Hex.encode(algorithm == "sha512" ? Digest.sha512(content) : Digest.sha256(content)))
        }
        targets[role, default: [:]][path] = .object(["length": .int(Int64(content.count)), "hashes": .object(listed)])
        artifacts[path] = content
    }

    func signed(_ role: String) -> JSONValue {
        let version = versions[role]!
        var members: [String: JSONValue] = [
            "_type": .string(role == "root" || role == "timestamp" || role == "snapshot" ? role : "targets"),
            "spec_version": .string("1.0.31"), "version": .int(version),
            "expires": .string((roleExpires[role] ?? expires).text),
        ]
        switch role {
        case "root":
            members["consistent_snapshot"] = .bool(consistentSnapshot)
            members["keys"] = .object(rootKeys)
            members["roles"] = .object(rootRoles.mapValues { .object(["keyids": .array($0.keyIDs.map { .string($0) }), "threshold": .int($0.threshold)]) })
        case "timestamp":
            members["meta"] = .object(["snapshot.json": timestampSnapshot])
        case "snapshot":
            members["meta"] = .object(snapshotMeta)
        default:
            members["targets"] = .object(targets[role] ?? [:])
            if let roles = delegationRoles[role] {
                members["delegations"] = .object(["keys": .object(delegationKeys[role] ?? [:]), "roles": .array(roles)])
            }
        }
        members.merge(extraFields[role] ?? [:]) { _, new in new }
        return .object(members)
    }

    /// Signs `signed` with `keys` into a file (canonical bytes).
    static func file(_ signed: JSONValue, keys: [TUF1TestKey]) throws -> [UInt8] {
        let message = try CanonicalJSON.encode(signed)
        let signatures: [JSONValue] = try keys.map { .object(["keyid": .string($0.id), "sig": .string(try $0.sign(message))]) }
        return try encode(.object(["signed": signed, "signatures": .array(signatures)]))
    }

    /// File bytes for a metadata document: canonical, with control characters (PEM newlines)
    /// escaped so that the bytes are JSON (`CanonicalJSON`'s stored form).
    static func encode(_ document: JSONValue) throws -> [UInt8] {
        try CanonicalJSON.encode(document, htmlEscaped: true)
    }

    /// Publishes `roles` in order, as the conformance simulator does: each gets version + 1
    /// (1 the first time), is signed by its signers, and its entry in snapshot (targets roles) or
    /// timestamp (snapshot) is updated.
    func publish(_ roles: [String]) {
        for role in roles {
            versions[role] = published[role] == nil ? (versions[role] ?? 1) : versions[role]! + 1
            let bytes = try! Self.file(signed(role), keys: signers[role] ?? [])
            published[role, default: []].append(bytes)
            var entry: [String: JSONValue] = ["version": .int(versions[role]!)]
            if computeHashes {
                entry["length"] = .int(Int64(bytes.count))
                entry["hashes"] = .object(["sha256": .string(Hex.encode(Digest.sha256(bytes)))])
            }
            if role == "snapshot" {
                timestampSnapshot = .object(entry)
            } else if role != "root" && role != "timestamp" {
                snapshotMeta["\(role).json"] = .object(entry)
            }
        }
    }

    func metadata(_ fileName: String, maxLength: Int) throws -> [UInt8]? {
        requests.append(fileName)
        // As the conformance simulator reads a path: root is always version-prefixed, timestamp never.
        let stem = String(fileName.dropLast(".json".count))
        let parts = stem.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let rest = parts.count > 1 ? parts[1] : ""
        let role: String
        let version: Int?
        if rest == "root" || (consistentSnapshot && stem != "timestamp") {
            guard let number = Int(parts[0]) else { return nil }
            role = rest.removingPercentEncoding ?? rest
            version = number
        } else {
            role = stem.removingPercentEncoding ?? stem
            version = nil
        }
        guard let versions = published[role], !versions.isEmpty else { return nil }
        let bytes: [UInt8]
        if let version {
            guard version >= 1, version <= versions.count else { return nil }
            bytes = versions[version - 1]
        } else {
            bytes = versions.last!
        }
        guard bytes.count <= maxLength else { throw TUFError(.tooLarge, "\(fileName) is over \(maxLength) bytes") }
        return bytes
    }
}

/// Trusted metadata in memory (the CLI's `--metadata-dir`).
final class TUF1MemoryStore: TUF1LocalMetadata {
    var files: [String: [UInt8]] = [:]

    init(root: [UInt8]) { files["root"] = root }

    func load(_ role: String, maxLength: Int) throws -> [UInt8]? { files[role] }
    func store(_ role: String, _ bytes: [UInt8]) throws { files[role] = bytes }

    /// Role → version of what is stored.
    var versions: [String: Int64] {
        files.compactMapValues { bytes in
            (try? TUF1Metadata.parse(bytes, role: "?", maxLength: 1 << 30)).flatMap { $0.signed["version"]?.intValue }
        }
    }
}
