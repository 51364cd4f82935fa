import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet key …`: key management in the trust dir.
struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Manage private keys: generate, list, import, export, rotate, passwd.",
        subcommands: [Generate.self, List.self, Import.self, Export.self, Rotate.self, Passwd.self]
    )

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate an ECDSA P-256 key, into the trust dir or to PREFIX-key.pem / PREFIX.pem.",
                                                        discussion: "Example:\n  signet key generate --role targets/releases -o ./releases")
        @Argument(help: "Algorithm (only ecdsa).") var algorithm = "ecdsa"
        @Option(name: .long, help: "The key's role (default root).") var role = "root"
        @Option(name: [.customShort("o"), .long], help: ArgumentHelp("Write PREFIX-key.pem and PREFIX.pem instead of storing.", valueName: "prefix"))
        var output: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard algorithm.lowercased() == "ecdsa" else { throw ClientError(.usage, "Algorithm not allowed, possible values are: ECDSA") }
            let store = ClientContext(global: global).keyStore
            let key = try PrivateKey.generate(.ecdsa)
            let id = TUFKey(publicKey: key.publicKey).id
            if let output {
                let passphrase = try store.passphrases.newPassphrase(role: role, keyID: id)
                let block = try store.encryptedBlock(key, role: role, gun: nil, passphrase: passphrase)
                try ClientFile.write(Array(block.encoded().utf8), to: URL(fileURLWithPath: output + "-key.pem"), mode: 0o600)
                let publicBlock = PEMBlock(type: "PUBLIC KEY", headers: [("role", role)], der: key.publicKey.spkiDER)
                try ClientFile.write(Array(publicBlock.encoded().utf8), to: URL(fileURLWithPath: output + ".pem"), mode: 0o644)
            } else {
                try store.save(key, role: role, gun: nil)
            }
            var json: [String: Any] = ["role": role, "keyID": id]
            if let output { json["files"] = [output + "-key.pem", output + ".pem"] }
            Output.result(json, "Generated new \(role) key with keyID: \(id)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the private keys in the trust dir (ROLE GUN KEY ID LOCATION).",
                                                        discussion: "Example:\n  signet key list -d ~/.docker/trust")
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = ClientContext(global: global).keyStore
            let keys = store.list()
            for (file, reason) in store.unusableKeyFiles() { Output.warning("\(file.path) is not a usable key file, left out: \(reason)") }
            if global.json {
                Output.json(keys.map { ["role": $0.role, "gun": $0.gun ?? "", "id": $0.id, "location": $0.file.deletingLastPathComponent().path] })
                return
            }
            guard !keys.isEmpty else { Output.line("No signing keys found."); return }
            let rows = [["ROLE", "GUN", "KEY ID", "LOCATION"]] + keys.map { [$0.role, $0.gun ?? "", $0.id, $0.file.deletingLastPathComponent().path] }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
            for row in rows {
                Output.line(row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }
                    .joined(separator: "   ").trimmingWhitespace())
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "import", abstract: "Import PEM private keys into the trust dir.",
                                                        discussion: "Example:\n  signet key import releases-key.pem --role targets/releases")
        @Argument(help: "PEM files.") var files: [String]
        @Option(name: [.customShort("g"), .long], help: "GUN for targets/snapshot/timestamp keys.") var gun: String?
        @Option(name: [.customShort("r"), .long], help: "Role when the PEM has no role header (default delegation).") var role: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = ClientContext(global: global).keyStore
            var imported: [[String: Any]] = []
            for path in files {
                let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: "key file")
                let blocks = try PEMBlock.parseAll(String(decoding: bytes, as: UTF8.self)).filter { !PrivateKey.isParameterBlock($0) }
                guard !blocks.isEmpty else { throw ClientError(.usage, "\(path) holds no PEM private key") }
                for block in blocks {
                    guard block.type.hasSuffix("PRIVATE KEY") else { throw ClientError(.usage, "\(path): \(block.type) is not a private key") }
                    let keyRole = block.header("role") ?? role ?? "delegation"
                    let keyGun = block.header("gun") ?? gun
                    if [RoleName.targets, RoleName.snapshot, RoleName.timestamp].contains(keyRole) && keyGun == nil {
                        throw ClientError(.usage, "\(path): a \(keyRole) key needs --gun")
                    }
                    let probe = StoredKey(id: "(import)", role: keyRole, gun: keyGun, file: URL(fileURLWithPath: path), block: block)
                    let key = try store.load(probe)
                    let id = TUFKey(publicKey: key.publicKey).id
                    if block.type == "ENCRYPTED PRIVATE KEY" {
                        var headers: [(name: String, value: String)] = [("role", keyRole)]
                        if let keyGun, [RoleName.targets, RoleName.snapshot, RoleName.timestamp].contains(keyRole) { headers.append(("gun", keyGun)) }
                        try store.write(PEMBlock(type: block.type, headers: headers, der: block.der), id: id)
                    } else {
                        try store.save(key, role: keyRole, gun: keyGun)
                    }
                    imported.append(["file": path, "role": keyRole, "keyID": id])
                    Output.line("Imported \(keyRole) key \(id)")
                }
            }
            if global.json { Output.json(["imported": imported]) }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Export stored PEM keys (with a path header).",
                                                        discussion: "Example:\n  signet key export --gun registry.example.com/team/app -o keys.pem")
        @Option(name: .long, help: "Key IDs to export (repeatable).") var key: [String] = []
        @Option(name: .long, help: "Export the keys of these GUNs (repeatable).") var gun: [String] = []
        @Option(name: [.customShort("o"), .long], help: "Output file (default stdout).") var output: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            guard key.isEmpty || gun.isEmpty else { throw ClientError(.usage, "--key and --gun are mutually exclusive") }
            let store = ClientContext(global: global).keyStore
            var selected = store.list()
            if !key.isEmpty { selected = try key.map { try store.resolve($0) } }
            if !gun.isEmpty { selected = selected.filter { stored in gun.contains { wanted in stored.gun.map { ExactName.equal($0, wanted) } ?? false } } }
            var text = ""
            for stored in selected {
                var block = stored.block
                block.headers.append(("path", stored.id))
                text += block.encoded()
            }
            if let output {
                try ClientFile.write(Array(text.utf8), to: URL(fileURLWithPath: output), mode: 0o600)
                if global.json { Output.json(["file": output, "keyIDs": selected.map(\.id)]) }
            } else if global.json {
                Output.json(["keyIDs": selected.map(\.id), "pem": text])
            } else {
                SystemFile.writeStandardOutput(text)
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rotate", abstract: "Rotate the root, targets, snapshot or timestamp key of GUN and publish that change at once.",
                                                        discussion: "Examples:\n  signet key rotate registry.example.com/team/app targets\n  signet key rotate registry.example.com/team/app snapshot --server-managed")
        @Argument(help: "The collection's GUN.") var gun: String
        @Argument(help: "root, targets, snapshot or timestamp.") var role: String
        @Flag(name: [.customShort("r"), .long], help: "Have the server hold the new key (snapshot, timestamp).") var serverManaged = false
        @Option(name: [.customShort("k"), .long], help: "Use this PEM private key as the new key (root, targets, snapshot).") var key: String?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try GUN.validate(gun)
            let context = ClientContext(global: global)
            let newKey = try key.map { try context.readPrivateKey($0, role: role) }
            let id = try context.repository(gun).rotate(role: role, serverManaged: serverManaged || role == RoleName.timestamp,
                                                        newKey: newKey, now: Clock.tufNow())
            Output.result(["gun": gun, "role": role, "keyID": id], "Successfully rotated \(role) key for repository \(gun); new key \(id)")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Re-encrypt a stored key with a new passphrase (SIGNET_NEW_PASSPHRASE, or a prompt).",
                                                        discussion: "Example:\n  export SIGNET_ROOT_PASSPHRASE=old-passphrase\n  export SIGNET_NEW_PASSPHRASE=new-passphrase\n  signet key passwd 7d631e9")
        @Argument(help: "Key ID (or a unique prefix).") var keyID: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let store = ClientContext(global: global).keyStore
            let stored = try store.resolve(keyID)
            let key = try store.load(stored)
            var newSource = store.passphrases
            if let value = ProcessInfo.processInfo.environment["SIGNET_NEW_PASSPHRASE"], !value.isEmpty {
                if let problem = NewPassphraseRule.problem(value) {
                    throw ClientError(.usage, "the passphrase in SIGNET_NEW_PASSPHRASE may not protect key \(stored.id.prefix(7)): \(problem)")
                }
                newSource.environment = ["SIGNET_\(PassphraseSource.alias(for: stored.role).uppercased())_PASSPHRASE": value]
            } else {
                newSource.environment = [:]
            }
            let passphrase = try newSource.newPassphrase(role: stored.role, keyID: stored.id)
            try store.write(try store.encryptedBlock(key, role: stored.role, gun: stored.gun, passphrase: passphrase), id: stored.id)
            Output.result(["keyID": stored.id], "Successfully updated passphrase for key ID: \(stored.id)")
        }
    }
}
