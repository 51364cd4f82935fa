import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetTUF

/// `signet init GUN`: create keys and stage the initial metadata.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create (or take) the root, targets and snapshot keys of GUN and stage its initial metadata; nothing is uploaded until publish.",
        discussion: "Example:\n  SIGNET_ROOT_PASSPHRASE=… SIGNET_TARGETS_PASSPHRASE=… SIGNET_SNAPSHOT_PASSPHRASE=… signet init registry.example.com/team/app"
    )

    @Argument(help: "The collection's GUN, e.g. registry.example.com/team/app.")
    var gun: String

    @Option(name: .long, help: ArgumentHelp("Encrypted PEM root private key to use instead of generating one.", valueName: "file"))
    var rootKey: String?

    @Option(name: .long, help: ArgumentHelp("PEM root certificate (CN=GUN) matching the root key.", valueName: "file"))
    var rootCert: String?

    @Flag(name: .long, help: "Let the server hold the snapshot key (Docker's default).")
    var serverManagedSnapshot = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try GUN.validate(gun)
        let context = ClientContext(global: global)
        let repository = try context.repository(gun)
        let key = try rootKey.map { try context.readPrivateKey($0, role: RoleName.root) }
        let certificate = try rootCert.map { try CertificateFile.read($0, what: "root certificate") }
        if certificate != nil && key == nil && context.keyStore.list().first(where: { $0.role == RoleName.root }) == nil {
            throw ClientError(.usage, "--root-cert needs the matching --root-key (or a root key in the trust dir)")
        }
        let rootKeyExisted = key != nil || context.keyStore.list().contains { $0.role == RoleName.root }
        let rootID = try repository.initialize(rootKey: key, rootCertificate: certificate,
                                               serverManagedSnapshot: serverManagedSnapshot, now: Clock.tufNow())
        if global.json {
            Output.json(["gun": gun, "rootKeyID": rootID])
        } else {
            Output.line(rootKeyExisted ? "Root key found, using: \(rootID)" : "Generated new root key: \(rootID)")
            Output.line("Initialized \(gun); publish to upload it.")
        }
    }
}
