import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetSupport
import SignetTUF

/// `signet root …`: the collection's trusted root.
struct RootCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "root",
        abstract: "Show a collection's trusted root: version, expiry, key IDs and certificates (what to pin in CI).",
        subcommands: [Show.self]
    )

    /// `signet root show GUN`: the root a full verified update trusts, for pinning it elsewhere.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Print the trusted root of GUN after a full verified update: version, expiry, threshold, each root key's TUF and canonical key ID, and its certificate as PEM.",
            discussion: """
            --cert prints only the root certificates as PEM (for --root-cert or trust_pinning), \
            --key-ids only one line per root key: TUF-KEY-ID CANONICAL-KEY-ID (either works \
            with --root-keyid and trust_pinning.certs). With a pin, the root shown is the one the \
            pin leads to: after root rotations, the current root, reached through the signed chain \
            from the pinned version.

            Examples:
              signet root show registry.example.com/team/app --cert > app-root.crt
              signet root show registry.example.com/team/app --key-ids
              SIGNET_TRUST_DIR=$(mktemp -d) signet root show registry.example.com/team/app --root-cert app-root.crt --json
            """
        )

        @Argument(help: "The collection's GUN.")
        var gun: String

        @Flag(name: .long, help: "Print only the root certificates, PEM.")
        var cert = false

        @Flag(name: .long, help: "Print only the root key IDs, one line per key: TUF key ID, canonical key ID.")
        var keyIds = false

        @OptionGroup var trust: TrustOptions
        @OptionGroup var global: GlobalOptions

        func validate() throws {
            guard !(cert && keyIds) else { throw ValidationError("give at most one of --cert and --key-ids") }
        }

        /// One root key as shown.
        struct RootKey {
            var id: String
            var canonicalID: String
            var certificate: Certificate?
        }

        func run() throws {
            try GUN.validate(gun)
            let collection = try trust.loadCollection(gun: gun, global: global)
            let root = collection.root
            let (keys, threshold) = try root.roleKeys(RoleName.root)
            let shown: [RootKey] = try keys.keys.sorted().map { id in
                let material = try keys[id]!.material()
                return RootKey(id: id, canonicalID: material.canonicalID, certificate: material.certificate)
            }
            if global.json {
                var document: [String: Any] = [
                    "gun": gun, "version": root.version, "expires": root.expires.text, "threshold": threshold,
                    "keys": shown.map { key -> [String: Any] in
                        var entry: [String: Any] = ["keyID": key.id, "canonicalKeyID": key.canonicalID]
                        if let certificate = key.certificate {
                            entry["certificate"] = certificate.pem()
                            entry["subject"] = certificate.subjectDescription
                            entry["notAfter"] = TUFTime(certificate.notAfter).text
                        }
                        return entry
                    },
                    "versionsWalked": collection.rootVersionsWalked,
                ]
                if let pinned = collection.rootPinnedVersion { document["pinnedVersion"] = pinned }
                Output.json(document)
                return
            }
            if cert {
                let pem = shown.compactMap { $0.certificate?.pem() }
                guard !pem.isEmpty else { throw ClientError(.notTrusted, "root v\(root.version) of \(gun) has no certificate keys") }
                pem.forEach { Output.line($0.trimmingWhitespaceAndNewlines()) }
                return
            }
            if keyIds {
                shown.forEach { Output.line("\($0.id) \($0.canonicalID)") }
                return
            }
            Output.line("GUN \(gun)")
            Output.line("root version \(root.version), expires \(root.expires.text), threshold \(threshold)")
            if let pinned = collection.rootPinnedVersion {
                Output.line(pinned == root.version ? "pin met by this root" : "pin met by root v\(pinned), followed through the signed root chain to v\(root.version)")
            }
            for key in shown {
                Output.line("key \(key.id) (canonical key ID \(key.canonicalID))")
                if let certificate = key.certificate {
                    Output.line("  certificate \(certificate.subjectDescription), expires \(TUFTime(certificate.notAfter).text)")
                    Output.line(certificate.pem().trimmingWhitespaceAndNewlines())
                }
            }
        }
    }
}
