import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// How a read command gets and judges trust data: offline from a directory, expiry instant, and
/// root pinning (without a pin: trust on first use).
struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Verify offline from this directory of role files named as the server's routes name them (root.json, timestamp.json, snapshot.json, targets.json, targets/releases.json, N.root.json).", valueName: "dir"))
    var metadataDir: String?

    @Option(name: .long, help: ArgumentHelp("Judge expiry at this RFC 3339 instant instead of now.", valueName: "time"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("Pin the root: a PEM public key (or certificate) whose key must be a root key.", valueName: "file"))
    var rootKey: String?

    @Option(name: .long, help: ArgumentHelp("Pin the root: a PEM certificate that must be a root certificate.", valueName: "file"))
    var rootCert: String?

    @Option(name: .long, help: ArgumentHelp("Pin the root: a root key ID (TUF key ID or canonical key ID, hex).", valueName: "hex"))
    var rootKeyid: String?

    func validate() throws {
        let pins = [rootKey, rootCert, rootKeyid].compactMap { $0 }
        guard pins.count <= 1 else { throw ValidationError("give at most one of --root-key, --root-cert and --root-keyid") }
        if let at { _ = try TUFTime(rfc3339: at) }
        if let rootKeyid, Hex.decode(rootKeyid) == nil || rootKeyid.count != 64 {
            throw ValidationError("--root-keyid must be 64 hex digits, got \"\(rootKeyid)\"")
        }
    }

    /// The instant expiry is judged at.
    func instant() throws -> TUFTime {
        guard let at else { return Clock.tufNow() }
        return try TUFTime(rfc3339: at)
    }

    /// The root pin, read from the given file, if any.
    func pin() throws -> RootPin? {
        if let rootKeyid { return .keyID(rootKeyid.lowercased()) }
        if let rootCert {
            return .certificate(try CertificateFile.read(rootCert, what: "root certificate"))
        }
        if let rootKey {
            let bytes = try BoundedFile.readInput(rootKey, maxLength: 1 << 20, what: "root key")
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("BEGIN CERTIFICATE") {
                return .publicKey(try CertificateFile.read(rootKey, what: "root key").publicKey)
            }
            do { return .publicKey(try PublicKey(pem: text)) } catch {
                throw ClientError(.usage, "\(rootKey) is not a PEM public key or certificate: \(error)")
            }
        }
        return nil
    }

    /// Runs the verified update for `gun`.
    func loadCollection(gun: String, global: GlobalOptions) throws -> VerifiedCollection {
        let updater = TrustUpdater(gun: gun, now: try instant(), pin: try pin())
        guard let metadataDir else {
            // Online: verified update from the server, cached in the trust dir (cache on failure).
            let repository = try ClientContext(global: global).repository(gun)
            let collection = try repository.update(pin: try pin(), now: try instant())
            if global.verbose { collection.warnings.forEach(Output.warning) }
            return collection
        }
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: metadataDir, isDirectory: &isDirectory), isDirectory else {
            throw ClientError(.usage, "--metadata-dir \(metadataDir) is not a directory")
        }
        let collection = try updater.update(from: DirectoryFetcher(directory: URL(fileURLWithPath: metadataDir)))
        if global.verbose { collection.warnings.forEach(Output.warning) }
        return collection
    }
}
