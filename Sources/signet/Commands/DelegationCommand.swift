import ArgumentParser
import FoundationEssentials
import Glibc
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet delegation …`: stage delegation changes; list the published delegations.
struct DelegationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delegation",
        abstract: "Add, remove and list delegations (targets/<name>).",
        subcommands: [Add.self, Remove.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Stage a delegation create/update: keys (PEM certificates or public keys) and paths.",
                                                        discussion: "Example:\n  signet delegation add registry.example.com/team/app targets/releases releases.crt --all-paths")
        @Argument(help: "The collection's GUN.") var gun: String
        @Argument(help: "The delegation role, targets/<name>.") var role: String
        @Argument(help: "PEM CERTIFICATE or PUBLIC KEY files.") var keyFiles: [String] = []
        @Option(name: .long, parsing: .upToNextOption, help: "Path prefixes the role may sign.") var paths: [String] = []
        @Flag(name: .long, help: "Let the role sign every path (\"\").") var allPaths = false
        @Option(name: .long, help: "Signature threshold.") var threshold: Int64?
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try GUN.validate(gun)
            guard RoleName.isDelegation(role) else { throw ClientError(.usage, "\(role) is not a delegation role (targets/<name> in a-z, 0-9, - and _)") }
            guard !keyFiles.isEmpty || !paths.isEmpty || allPaths else { throw ClientError(.usage, "give at least one key file or path") }
            var edit = RepositoryEditor.DelegationEdit()
            if let threshold { guard threshold >= 1 else { throw ClientError(.usage, "--threshold must be at least 1") }; edit.threshold = threshold }
            else if !keyFiles.isEmpty { edit.threshold = 1 }
            for path in keyFiles { edit.addKeys.append(try Self.readPublicKey(path)) }
            edit.addPaths = allPaths ? [""] : paths
            let data = Change.delegationData(edit)
            try ClientContext(global: global).changelist(gun).add([Change(action: .create, role: role, type: .delegation, path: "", data: data)])
            let keyIDs = edit.addKeys.map { (try? $0.canonicalID()) ?? $0.id }
            var json: [String: Any] = ["gun": gun, "role": role, "keyIDs": keyIDs, "tufKeyIDs": edit.addKeys.map(\.id), "paths": edit.addPaths]
            if let threshold = edit.threshold { json["threshold"] = threshold }
            Output.result(json,
                          "Addition of delegation role \(role) with keys \(keyIDs) and paths \(edit.addPaths) to repository \"\(gun)\" staged for next publish.")
        }

        static func readPublicKey(_ path: String) throws -> TUFKey {
            let bytes = try BoundedFile.readInput(path, maxLength: 1 << 20, what: "delegation key")
            let text = String(decoding: bytes, as: UTF8.self)
            if text.contains("BEGIN CERTIFICATE") {
                let certificate = try CertificateFile.read(path, what: "delegation key")
                guard !Expiry.certificateHasExpired(notAfter: certificate.notAfter, at: Clock.tufNow()) else {
                    throw ClientError(.usage, "certificate \(path) expired at \(TUFTime(certificate.notAfter).text)")
                }
                return try TUFKey(certificate: certificate)
            }
            do { return TUFKey(publicKey: try PublicKey(pem: text)) } catch {
                throw ClientError(.usage, "\(path) is not a PEM certificate or public key")
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove",
            abstract: "Stage removal of a delegation, or of some of its keys or paths.",
            discussion: """
            With only GUN and ROLE the whole role goes, with its keys, paths and the targets it signs: on a terminal this asks first, as notary does; otherwise pass -y. Key IDs (canonical, as `delegation add` prints them, or TUF key IDs) and paths must be the role's own, as the cached trust data shows with the staged changes applied (or the server's when nothing is cached): others are refused (exit 1), naming the role's real ones.

            Examples:
              signet delegation remove example.com/team/app targets/releases -y
              signet delegation remove example.com/team/app targets/releases 386ba548…
              signet delegation remove example.com/team/app targets/qa --paths qa/old/
            """)
        @Argument(help: "The collection's GUN.") var gun: String
        @Argument(help: "The delegation role.") var role: String
        @Argument(help: "Key IDs to remove (canonical IDs).") var keyIDs: [String] = []
        @Option(name: .long, parsing: .upToNextOption, help: "Paths to remove.") var paths: [String] = []
        @Flag(name: .long, help: "Remove every path.") var allPaths = false
        @Flag(name: [.customShort("y"), .long], help: "Remove the whole role without asking.") var yes = false
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try GUN.validate(gun)
            guard RoleName.isDelegation(role) else { throw ClientError(.usage, "\(role) is not a delegation role") }
            let context = ClientContext(global: global)
            let staged = try context.repository(gun).stagedCollection(now: Clock.tufNow(), fetch: true)
            guard let (entry, keys) = staged.delegation(role) else {
                if let reason = staged.offlineReason {
                    throw ClientError(.unreachable, "\(reason); nothing is cached for \(gun), so \(role) cannot be checked; nothing staged")
                }
                throw ClientError(.notTrusted, "\(role) is not delegated in \(gun); nothing staged")
            }
            let change: Change
            let message: String
            if keyIDs.isEmpty && paths.isEmpty && !allPaths {
                let targets = staged.targetNames(in: role).count
                message = "Removal of delegation role \(role) (keys \(RepositoryEditor.describeKeys(entry, keys: keys)); paths \(DelegationPaths.describe(entry.paths)); \(targets) target\(targets == 1 ? "" : "s")) in repository \"\(gun)\" staged for next publish."
                try confirmWholeRemoval()
                change = Change(action: .delete, role: role, type: .delegation, path: "", data: nil)
            } else {
                var edit = RepositoryEditor.DelegationEdit()
                edit.removeKeys = keyIDs
                edit.removePaths = paths
                edit.clearPaths = allPaths
                // The editor's own checks (unknown key IDs and paths), on the staged state.
                var preview = entry
                do { preview = try RepositoryEditor.removing(edit, from: entry, keys: keys, role: role, gun: gun) } catch let error as TUFError {
                    throw ClientError(.notTrusted, "\(error.message); nothing staged")
                }
                if allPaths && (entry.paths ?? []).isEmpty {
                    throw ClientError(.notTrusted, "\(role) has no paths in \(gun) to remove; nothing staged")
                }
                var parts = keyIDs.map { "key \($0)" } + paths.map { "path \"\($0)\"" }
                if allPaths { parts.append("every path (\(DelegationPaths.describe(entry.paths)))") }
                message = "Removal of \(parts.joined(separator: ", ")) from delegation role \(role) in repository \"\(gun)\" staged for next publish."
                if Int64(preview.keyIDs.count) < preview.threshold {
                    Output.warning("\(role) will have \(preview.keyIDs.count) key\(preview.keyIDs.count == 1 ? "" : "s") for threshold \(preview.threshold): it cannot sign until keys are added")
                }
                change = Change(action: .update, role: role, type: .delegation, path: "", data: Change.delegationData(edit))
            }
            try context.changelist(gun).add([change])
            Output.result(["gun": gun, "role": role, "keyIDs": keyIDs, "paths": paths, "allPaths": allPaths,
                           "wholeRole": keyIDs.isEmpty && paths.isEmpty && !allPaths], message)
        }

        /// Notary's confirmation for removing a whole role: `-y`, else a yes/no question on a
        /// terminal. Throws `ClientError(.usage)` (exit 2) when not confirmed or not on a terminal.
        func confirmWholeRemoval() throws {
            if yes { return }
            guard isatty(0) == 1 else {
                throw ClientError(.usage, "removing the whole delegation role \(role) needs confirmation: pass -y (--yes) when not on a terminal; nothing staged")
            }
            let question = "Are you sure you want to remove all data for this delegation? (yes/no)\n"
            if JSONOutput.isEnabled { SystemFile.writeStandardError(question) } else { SystemFile.writeStandardOutput(question) }
            let answer = (readLine() ?? "").trimmingWhitespace().lowercased()
            guard answer == "y" || answer == "yes" else {
                throw ClientError(.usage, "removal of delegation role \(role) not confirmed; nothing staged")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the published delegations of GUN (ROLE PATHS KEY IDS THRESHOLD).",
                                                        discussion: "Example:\n  signet delegation list registry.example.com/team/app")
        @Argument(help: "The collection's GUN.") var gun: String
        @OptionGroup var trust: TrustOptions
        @OptionGroup var global: GlobalOptions

        func run() throws {
            try GUN.validate(gun)
            let collection = try trust.loadCollection(gun: gun, global: global)
            var rows: [[String]] = []
            var documents: [[String: Any]] = []
            for role in collection.roleOrder {
                guard let delegations = collection.targets[role]?.delegations else { continue }
                for delegated in delegations.roles {
                    let paths = (delegated.paths ?? []).map { $0.isEmpty ? "\"\" <all paths>" : $0 }.joined(separator: ",")
                    // Notary's `delegation list` (and `delegation add`) show canonical key IDs (the
                    // public key's ID, also for certificate keys); the TUF key IDs the metadata
                    // lists are in --json as tufKeyIDs.
                    let keyIDs = delegated.keyIDs.map { id in delegations.keys[id].flatMap { try? $0.canonicalID() } ?? id }
                    rows.append([delegated.name, paths, keyIDs.joined(separator: ","), String(delegated.threshold)])
                    documents.append(["role": delegated.name, "paths": delegated.paths ?? [], "keyIDs": keyIDs,
                                      "tufKeyIDs": delegated.keyIDs, "threshold": delegated.threshold, "delegatedBy": role])
                }
            }
            if global.json {
                Output.json(documents)
                return
            }
            guard !rows.isEmpty else { Output.line("No delegations present in this repository."); return }
            let all = [["ROLE", "PATHS", "KEY IDS", "THRESHOLD"]] + rows
            let widths = (0..<4).map { column in all.map { $0[column].count }.max() ?? 0 }
            for row in all {
                Output.line(row.enumerated().map { $0.element.padded(toWidth: widths[$0.offset]) }
                    .joined(separator: "   ").trimmingWhitespace())
            }
        }
    }
}
