import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetTUF

/// `signet verify IMAGE…`: print the trusted digest of each image, or refuse with exit 1.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Print the trusted digest (sha256:HEX) of IMAGE, after a full verified update.",
        discussion: """
        IMAGE is GUN:TAG, GUN@sha256:HEX or GUN:TAG@sha256:HEX. Exit 0 and the digest when trusted; \
        exit 1 with the reason when not.

        Several images (arguments, or --from-file lines; - reads stdin; blank lines and # comments \
        skipped): each collection is updated once, and one line per image is printed in order, \
        IMAGE sha256:HEX when trusted or IMAGE NOT-TRUSTED: reason when not (with --json one \
        array of the single-image documents). Exit 0 only when every image is trusted, else the \
        highest exit code among them (1 not trusted, 2 bad image reference, 3 server unreachable), \
        naming the images that failed on stderr.

        Examples:
          signet verify registry.example.com/team/app:1.0
          signet verify docker.io/library/alpine:3.8 --metadata-dir ./alpine --at 2018-07-25T00:00:00Z --json
          signet verify --from-file images.txt --root-cert app-root.crt
        """
    )

    @Argument(help: "The image: GUN:TAG, GUN@sha256:HEX or GUN:TAG@sha256:HEX (several allowed).")
    var images: [String] = []

    @Option(name: .long, help: ArgumentHelp("Also verify every image listed in this file (- for stdin), one per line.", valueName: "file"))
    var fromFile: String?

    @Option(name: .long, help: ArgumentHelp("Also require this delegation role to sign the tag with the same digest (repeatable).", valueName: "role"))
    var delegation: [String] = []

    @Option(name: .long, help: ArgumentHelp("Also check that this file's bytes match the target's length and hashes (one image only).", valueName: "file"))
    var payload: String?

    @OptionGroup var trust: TrustOptions
    @OptionGroup var global: GlobalOptions

    /// Largest image list read by --from-file, in bytes, and most images verified in one call.
    static let maxListBytes = 4 << 20
    static let maxImages = 100_000

    func validate() throws {
        for role in delegation {
            do { try RoleName.validate(role) } catch let error as TUFError { throw ValidationError(error.message) }
            guard RoleName.isDelegation(role) else { throw ValidationError("--delegation \(role) is not a delegation role (targets/<name>)") }
        }
        guard !images.isEmpty || fromFile != nil else { throw ValidationError("Missing expected argument '<images> ...' (or --from-file FILE)") }
        if payload != nil, images.count != 1 || fromFile != nil { throw ValidationError("--payload checks one image; give exactly one IMAGE and no --from-file") }
    }

    func run() throws {
        if fromFile == nil, images.count == 1 {
            try verifyOne(images[0])
        } else {
            try verifyMany(images + (try fromFile.map(Self.readList) ?? []))
        }
    }

    private func verifyOne(_ image: String) throws {
        do {
            let reference = try ImageReference(image)
            let payloadMeta = try payload.map { try FileDigest.describe($0, what: "payload") }
            let collection = try trust.loadCollection(gun: reference.gun, global: global)
            let verdict = try ImageVerifier(requiredDelegations: delegation).verify(reference, in: collection, payload: payloadMeta)
            if global.json {
                Output.json(Self.document(image, verdict))
            } else {
                Output.line(verdict.digestString)
            }
        } catch {
            if global.json { Output.json(Self.document(image, error)) }
            throw error
        }
    }

    /// Every image, each collection updated once (`TrustOptions.loadCollections`).
    private func verifyMany(_ list: [String]) throws {
        guard list.count <= Self.maxImages else { throw ClientError(.usage, "more than \(Self.maxImages) images to verify") }
        let references = list.map { image in Result { try ImageReference(image) } }
        let guns = references.compactMap { try? $0.get().gun }
        let collections = trust.loadCollections(guns: guns, global: global)
        let verifier = ImageVerifier(requiredDelegations: delegation)
        var documents: [[String: Any]] = []
        var failed: [String] = []
        var worst = ExitStatus.success
        for (image, reference) in zip(list, references) {
            let outcome = Result { () throws -> ImageVerifier.Verdict in
                let reference = try reference.get()
                let collection = try collections[Array(reference.gun.utf8)]!.get()
                return try verifier.verify(reference, in: collection)
            }
            switch outcome {
            case .success(let verdict):
                documents.append(Self.document(image, verdict))
                if !global.json { Output.line("\(image) \(verdict.digestString)") }
            case .failure(let error):
                let (code, message) = ExitStatus.classify(error)
                worst = max(worst, code)
                failed.append(image)
                documents.append(Self.document(image, error))
                if !global.json { Output.line("\(image) NOT-TRUSTED: \(message.replacingLiterally("\n", with: " "))") }
            }
        }
        if global.json { Output.json(documents) }
        guard failed.isEmpty else {
            let names = failed.prefix(20).joined(separator: ", ") + (failed.count > 20 ? ", …" : "")
            Output.error("\(failed.count) of \(list.count) images not trusted: \(names)")
            throw ExitCode(worst)
        }
    }

    /// The lines of an image list: trimmed, blank lines and `#` comments skipped.
    /// - Throws: `ClientError(.usage)` (exit 2) for an unreadable file, one over `maxListBytes`,
    ///   or one that lists no image.
    static func readList(_ path: String) throws -> [String] {
        let bytes = path == "-" ? try BoundedFile.readStandardInput(maxLength: maxListBytes, what: "image list")
            : try BoundedFile.readInput(path, maxLength: maxListBytes, what: "image list")
        guard let text = String(validating: bytes, as: UTF8.self) else { throw ClientError(.usage, "image list \(path) is not UTF-8 text") }
        let images = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map { $0.trimmingWhitespaceAndNewlines() }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !images.isEmpty else { throw ClientError(.usage, "image list \(path) lists no image") }
        return images
    }

    /// The single-image JSON document of a trusted image.
    static func document(_ image: String, _ verdict: ImageVerifier.Verdict) -> [String: Any] {
        ["trusted": true, "image": image, "gun": verdict.image.gun, "tag": verdict.tag, "digest": verdict.digestString,
         "length": verdict.length, "role": verdict.role, "signedBy": verdict.signedBy]
    }

    /// The single-image JSON document of a refusal.
    static func document(_ image: String, _ error: Error) -> [String: Any] {
        let (code, message) = ExitStatus.classify(error)
        return ["trusted": false, "image": image, "error": message, "exitCode": Int(code)]
    }
}
