import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet add`: stage targets from a file, a digest, a bulk list or an OCI layout.
struct AddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Stage targets of GUN: from a file, by digest, from a list (NAME sha256:HEX SIZE per line), from an OCI image layout or from a registry.",
        discussion: """
        Without --role, targets are staged into targets/releases when it is delegated and a key of it is held here (Docker Content Trust's default), else into targets; this is judged from the cached trust data with the staged changes applied, or, when nothing is cached, from the server's (a verified update; when the server cannot be reached, targets, with a warning). With --role targets/<name>, every name must lie inside the role's paths when the trust dir knows the role (refused otherwise, exit 2); publish checks the same. --from-file and --oci-layout stage their targets as one bulk changelist entry (one file for all of them), which signet status, reset and publish read and the notary client does not (docs/migrating-from-notary.md).

        With --from-registry, TAG's manifest is read from the OCI distribution registry GUN names (https://HOST, or http:// for a loopback host), or from the registry URL given after TAG: the target is the sha256 and size of the manifest bytes (an image index for a multi-platform image), as docker push signs it; a Docker-Content-Digest that is not those bytes' sha256 is refused. Credentials: SIGNET_REGISTRY_AUTH (base64 of user:password), else Docker's config.json auths ($DOCKER_CONFIG or ~/.docker). A tag the registry does not have exits 1.

        Examples:
          signet add registry.example.com/team/app v1 ./payload.bin
          signet add registry.example.com/team/app 1.0 --digest sha256:4f53… --size 528
          signet add registry.example.com/team/app --from-file tags.txt
          signet add registry.example.com/team/app --oci-layout ./layout --ref 1.0
          signet add registry.example.com/team/app 1.0 --from-registry
          signet add registry.example.com/team/app 1.0 --from-registry http://127.0.0.1:5000
        """
    )

    @Argument(help: "The collection's GUN.") var gun: String
    @Argument(help: "The target name (an image tag).") var name: String?
    @Argument(help: "A file whose bytes are the target; with --from-registry, the registry's URL (default: from GUN).") var file: String?

    @Option(name: .long, help: ArgumentHelp("The target's digest, sha256:<64 hex>.", valueName: "digest")) var digest: String?
    @Option(name: .long, help: ArgumentHelp("The target's size in bytes (with --digest).", valueName: "bytes")) var size: String?
    @Option(name: .long, help: ArgumentHelp("A file of JSON to store as the target's custom data.", valueName: "file")) var custom: String?
    @Option(name: .long, help: ArgumentHelp("Stage many targets from this list (- for stdin): lines NAME sha256:HEX SIZE.", valueName: "list")) var fromFile: String?
    @Option(name: .long, help: ArgumentHelp("Stage the manifests of this OCI image layout (index.json).", valueName: "dir")) var ociLayout: String?
    @Flag(name: .long, help: "Stage NAME (a tag) as its manifest in the registry: the GUN's host, or the URL given as the third argument.")
    var fromRegistry = false
    @Option(name: .long, help: ArgumentHelp("With --oci-layout: only this ref name (org.opencontainers.image.ref.name); also the target name.", valueName: "name")) var ref: String?
    @Option(name: [.customShort("r"), .long], help: ArgumentHelp("Stage into this role (targets or targets/<name>), repeatable; default targets/releases when it is delegated and its key is held, else targets (from the cached trust data, or the server's when nothing is cached).", valueName: "role"))
    var role: [String] = []

    @OptionGroup var progress: ProgressOption
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        for name in role { try RoleName.validate(name) }
        let context = ClientContext(global: global)
        var targets: [(String, FileMeta)] = []
        var fromRegistryManifest: (repository: RegistryRepository, manifest: RegistryManifest)?
        if fromRegistry {
            guard let name, digest == nil, size == nil, fromFile == nil, ociLayout == nil else {
                throw ClientError(.usage, "--from-registry takes GUN TAG [URL], without --digest, --size, --from-file or --oci-layout")
            }
            let repository = try RegistryRepository(gun: gun, url: file)
            var client = RegistryClient(repository: repository, credentials: try RegistryCredentials.find(host: repository.host))
            if let timeout = try global.resolvedTimeout() { client.timeout = timeout }
            let manifest = try client.manifest(tag: name)
            fromRegistryManifest = (repository: repository, manifest: manifest)
            var meta = FileMeta(length: manifest.length, hashes: ["sha256": manifest.sha256])
            if let custom { meta.custom = try Self.customData(custom) }
            targets = [(name, meta)]
        } else if let fromFile {
            guard name == nil, digest == nil, ociLayout == nil else { throw ClientError(.usage, "--from-file takes no NAME, FILE, --digest or --oci-layout") }
            targets = try BulkList.parse(fromFile)
        } else if let ociLayout {
            targets = try OCILayout.targets(ociLayout, ref: ref ?? name)
        } else {
            guard let name else { throw ClientError(.usage, "give NAME and FILE, NAME --digest --size, --from-file LIST or --oci-layout DIR") }
            var meta: FileMeta
            if let digest {
                guard file == nil else { throw ClientError(.usage, "give either FILE or --digest, not both") }
                guard let size else { throw ClientError(.usage, "--digest needs --size") }
                meta = FileMeta(length: try BulkList.size(size, line: nil), hashes: ["sha256": try BulkList.digest(digest, line: nil)])
            } else {
                guard let file else { throw ClientError(.usage, "give FILE or --digest sha256:HEX --size N for \(name)") }
                guard size == nil else { throw ClientError(.usage, "--size goes with --digest") }
                let line = ProgressLine("hashing \(file)", total: ProgressLine.fileSize(file), unit: .bytes, quiet: progress.quiet)
                defer { line.finish() }
                meta = try FileDigest.describe(file, what: "target file") { line.update($0) }
            }
            if let custom { meta.custom = try Self.customData(custom) }
            targets = [(name, meta)]
        }
        let roles = try Self.roles(role, targets: targets.map(\.0), gun: gun, context: context)
        var changes: [Change] = []
        for (target, meta) in targets {
            for scope in roles {
                changes.append(Change(action: .create, role: scope, type: .target, path: target, data: try Change.targetData(meta)))
            }
        }
        try context.changelist(gun).add(changes, bulk: fromFile != nil || ociLayout != nil)
        if global.json {
            var document: [String: Any] = ["gun": gun, "staged": targets.map(\.0), "roles": roles]
            if let found = fromRegistryManifest {
                document["registry"] = ["url": found.repository.baseURL, "repository": found.repository.name, "digest": found.manifest.digest,
                                        "length": found.manifest.length, "mediaType": found.manifest.mediaType] as [String: Any]
            }
            Output.json(document)
        } else {
            if let found = fromRegistryManifest, let target = targets.first?.0 {
                Output.line("\(found.repository.name):\(target) at \(found.repository.baseURL) is \(found.manifest.digest) (\(found.manifest.length) bytes, \(found.manifest.mediaType)).")
            }
            for (target, _) in targets {
                Output.line("Addition of target \"\(target)\" to role \(roles.map { "\"\($0)\"" }.joined(separator: ", ")) of repository \"\(gun)\" staged for next publish.")
            }
        }
    }
}

extension AddCommand {
    /// `--custom FILE`'s JSON (at most 1 MiB).
    /// - Throws: `ClientError(.usage)` when the file cannot be read or is not JSON.
    static func customData(_ path: String) throws -> JSONValue {
        let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: "custom data")
        do { return try JSONParser.parse(bytes, what: "custom data") } catch {
            throw ClientError(.usage, "--custom \(path) is not JSON: \(error)")
        }
    }

    /// The roles to stage `names` into. Without `--role`: Docker Content Trust's default
    /// (`StagedCollection.defaultRole`), from the cache or, when nothing is cached, from a verified
    /// update; when the server cannot be reached either, `targets`, with a warning. With `--role`:
    /// those roles, each delegation known to the trust dir checked against its paths.
    /// - Throws: `ClientError(.usage)` naming the first name outside a given role's paths.
    static func roles(_ given: [String], targets names: [String], gun: String, context: ClientContext) throws -> [String] {
        let now = Clock.tufNow()
        guard !given.isEmpty else {
            let staged = try context.repository(gun).stagedCollection(now: now, fetch: true)
            if let reason = staged.offlineReason {
                Output.warning("\(reason); nothing is cached for \(gun), so staging into \(RoleName.targets)")
            }
            return [staged.defaultRole(keys: context.keyStore)]
        }
        let delegations = given.filter { $0 != RoleName.targets }
        guard !delegations.isEmpty else { return given }
        let staged = try context.repository(gun).stagedCollection(now: now, fetch: false)
        for role in delegations {
            guard let paths = staged.effectivePaths(of: role) else { continue }
            for name in names where !DelegationPaths.allows(name, paths: paths) {
                throw ClientError(.usage, "\"\(name)\" is outside the paths \(role) may sign in \(gun) (\(DelegationPaths.describe(paths))); nothing staged")
            }
        }
        return given
    }
}

/// Bulk target lists: one `NAME sha256:HEX SIZE` per line; blank lines and `#` comments skipped.
enum BulkList {
    static func parse(_ path: String) throws -> [(String, FileMeta)] {
        let bytes: [UInt8]
        if path == "-" {
            bytes = try BoundedFile.readStandardInput(maxLength: 256 << 20, what: "target list")
        } else {
            bytes = try BoundedFile.readInput(path, maxLength: 256 << 20, what: "target list")
        }
        var result: [(String, FileMeta)] = []
        for (index, raw) in String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespaceAndNewlines()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count == 3 else {
                throw ClientError(.usage, "\(path) line \(index + 1): expected NAME sha256:HEX SIZE, got \(fields.count) field(s); nothing staged")
            }
            result.append((String(fields[0]), FileMeta(length: try size(String(fields[2]), line: index + 1),
                                                      hashes: ["sha256": try digest(String(fields[1]), line: index + 1)])))
        }
        return result
    }

    static func digest(_ text: String, line: Int?) throws -> [UInt8] {
        let hex = text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : ""
        guard hex.count == 64, let bytes = Hex.decode(hex) else {
            throw ClientError(.usage, "\(line.map { "line \($0): " } ?? "")malformed digest \"\(text.prefix(80))\": expected sha256: and 64 hex digits; nothing staged")
        }
        return bytes
    }

    static func size(_ text: String, line: Int?) throws -> Int64 {
        guard let value = Int64(text), value >= 0 else {
            throw ClientError(.usage, "\(line.map { "line \($0): " } ?? "")size \"\(text.prefix(40))\" is not a non-negative number of bytes; nothing staged")
        }
        return value
    }
}

/// OCI image layouts (`index.json`): each manifest with a ref name becomes a target.
enum OCILayout {
    static func targets(_ directory: String, ref: String?) throws -> [(String, FileMeta)] {
        let bytes = try BoundedFile.readInput(PathText.appending("index.json", to: directory), maxLength: 16 << 20, what: "OCI index")
        let index = try JSONParser.parse(bytes, what: "\(directory)/index.json")
        var result: [(String, FileMeta)] = []
        for manifest in index["manifests"]?.arrayValue ?? [] {
            guard let name = manifest["annotations"]?["org.opencontainers.image.ref.name"]?.stringValue,
                  let digest = manifest["digest"]?.stringValue, let size = manifest["size"]?.intValue else { continue }
            if let ref, !ExactName.equal(ref, name) { continue }
            result.append((name, FileMeta(length: size, hashes: ["sha256": try BulkList.digest(digest, line: nil)])))
        }
        guard !result.isEmpty else {
            throw ClientError(.usage, "\(directory)/index.json has no manifest\(ref.map { " with ref \($0)" } ?? " with a ref name")")
        }
        return result
    }
}
