import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet verify IMAGE`: print the trusted digest of an image, or refuse with exit 1.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Print the trusted digest (sha256:HEX) of IMAGE, after a full verified update.",
        discussion: """
        IMAGE is GUN:TAG, GUN@sha256:HEX or GUN:TAG@sha256:HEX. Exit 0 and the digest when trusted; \
        exit 1 with the reason when not.

        Examples:
          signet verify registry.example.com/team/app:1.0
          signet verify docker.io/library/alpine:3.8 --metadata-dir ./alpine --at 2018-07-25T00:00:00Z --json
        """
    )

    @Argument(help: "The image: GUN:TAG, GUN@sha256:HEX or GUN:TAG@sha256:HEX.")
    var image: String

    @Option(name: .long, help: ArgumentHelp("Also require this delegation role to sign the tag with the same digest (repeatable).", valueName: "role"))
    var delegation: [String] = []

    @Option(name: .long, help: ArgumentHelp("Also check that this file's bytes match the target's length and hashes.", valueName: "file"))
    var payload: String?

    @OptionGroup var trust: TrustOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for role in delegation {
            do { try RoleName.validate(role) } catch let error as TUFError { throw ValidationError(error.message) }
            guard RoleName.isDelegation(role) else { throw ValidationError("--delegation \(role) is not a delegation role (targets/<name>)") }
        }
    }

    func run() throws {
        do {
            let reference = try ImageReference(image)
            let payloadMeta = try payload.map { try FileDigest.describe($0, what: "payload") }
            let collection = try trust.loadCollection(gun: reference.gun, global: global)
            let verdict = try ImageVerifier(requiredDelegations: delegation).verify(reference, in: collection, payload: payloadMeta)
            if global.json {
                Output.json([
                    "trusted": true, "image": image, "gun": reference.gun, "tag": verdict.tag,
                    "digest": verdict.digestString, "length": verdict.length, "role": verdict.role,
                    "signedBy": verdict.signedBy,
                ] as [String: Any])
            } else {
                Output.line(verdict.digestString)
            }
        } catch {
            if global.json {
                let (code, message) = ExitStatus.classify(error)
                Output.json(["trusted": false, "image": image, "error": message, "exitCode": Int(code)] as [String: Any])
            }
            throw error
        }
    }
}
