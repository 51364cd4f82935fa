import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// The options of a read command that say how its trust data is got and judged: offline from a
/// directory, the expiry instant, and root pinning (without a pin: trust on first use). Parsing
/// only; loading and verifying is `TrustSource` and `RootPin.load` in SignetClient.
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

    /// The verified collection `gun`, offline from `--metadata-dir` or online from the server
    /// (`TrustSource`, SignetClient); its warnings are printed with `--verbose`, and a role near
    /// expiry (`RoleTree.nearExpiry`) is named on stderr unless `warnNearExpiry` is false.
    ///
    /// The root pin is the flags' (`--root-cert`, `--root-key`, `--root-keyid`), else the client
    /// config's `trust_pinning` for `gun` (`TrustPinning`), else none (trust on first use, which
    /// the config's `disable_tofu` refuses for a collection with no trusted root yet). A pin met by
    /// an earlier root version is followed through the signed root chain (`PinnedRootChain`), so
    /// a pin survives `signet key rotate GUN root`.
    /// - Throws: `ClientError(.notTrusted)` for `disable_tofu` without a pin; what the source's
    ///   `load` throws.
    func loadCollection(gun: String, global: GlobalOptions, warnNearExpiry: Bool = true) throws -> VerifiedCollection {
        let context = ClientContext(global: global)
        // Errors in the order they always came: the server settings, then the pin, then the directory.
        let repository = try metadataDir == nil ? context.repository(gun) : nil
        let pinning = context.settings.config?.trustPinning
        let pin = try RootPin.load(keyID: rootKeyid, certificateFile: rootCert, keyFile: rootKey) ?? pinning?.pin(for: gun)
        let source = try repository.map(TrustSource.server) ?? TrustSource.directory(path: metadataDir ?? "")
        if pin == nil, let pinning, pinning.disableTOFU, source.isFirstUse(gun: gun) {
            throw ClientError(.notTrusted, "invalid trust pinning specified: \(gun) has no trusted root yet, trust_pinning.disable_tofu is set in \(context.settings.config?.path ?? "the client config") and no pin matches \(gun) (trust_pinning.certs, trust_pinning.ca, or --root-cert/--root-key/--root-keyid)")
        }
        let collection = try source.load(gun: gun, pin: pin, now: try instant(), pinFollowsRotation: true)
        if global.verbose { collection.warnings.forEach(Output.warning) }
        if warnNearExpiry { RoleTreeOutput.warnNearExpiry(RoleTree(collection, heldKeyIDs: []), at: try instant()) }
        return collection
    }

    /// The same for several collections at once (`verify --from-file`): each GUN updated once,
    /// in the order given; a GUN that fails keeps its error instead of stopping the rest. Keyed
    /// by the GUN's UTF-8 bytes (GUNs are compared as bytes, `ExactName`: two spellings that
    /// Swift's `String` would call equal are two collections).
    func loadCollections(guns: [String], global: GlobalOptions) -> [[UInt8]: Result<VerifiedCollection, Error>] {
        var loaded: [[UInt8]: Result<VerifiedCollection, Error>] = [:]
        for gun in guns where loaded[Array(gun.utf8)] == nil {
            loaded[Array(gun.utf8)] = Result { try loadCollection(gun: gun, global: global) }
        }
        return loaded
    }
}
