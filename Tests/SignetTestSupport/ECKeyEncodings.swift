import Foundation
import Testing

/// One EC public key re-encoded by the `openssl` CLI (Debian package openssl), as an attacker
/// would re-encode it: DER SubjectPublicKeyInfo in each form OpenSSL can write. Key identity tests
/// in every layer use these to try to count one key as several.
public enum ECKeyEncodings {
    /// The encodings, by name: `uncompressed`, `compressed`, `hybrid`, `explicit` (explicit curve
    /// parameters) and `explicit+compressed`.
    public static let variants: [String: [String]] = [
        "uncompressed": ["-ec_conv_form", "uncompressed"],
        "compressed": ["-ec_conv_form", "compressed"],
        "hybrid": ["-ec_conv_form", "hybrid"],
        "explicit": ["-ec_param_enc", "explicit"],
        "explicit+compressed": ["-ec_param_enc", "explicit", "-ec_conv_form", "compressed"],
    ]

    /// The DER SubjectPublicKeyInfo of the key in `publicKeyPEM` (a `PUBLIC KEY` block), by
    /// variant name. An openssl failure is a recorded issue naming the package, and a thrown error.
    public static func of(publicKeyPEM: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: [UInt8]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("signet-encodings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("pub.pem")
        try Data(publicKeyPEM.utf8).write(to: input)
        var out: [String: [UInt8]] = [:]
        for (name, flags) in variants {
            let file = dir.appendingPathComponent("\(name).der")
            try OpenSSLCLI.run(["pkey", "-pubin", "-in", input.path, "-pubout", "-outform", "DER"] + flags + ["-out", file.path],
                               sourceLocation: sourceLocation)
            out[name] = [UInt8](try Data(contentsOf: file))
        }
        return out
    }
}

/// The `openssl` command line (Debian package openssl).
public enum OpenSSLCLI {
    /// Runs `openssl` with `arguments`. A missing binary or a non-zero exit is a recorded issue
    /// (naming the package, with openssl's standard error) and a thrown `TestSupportFailure`.
    public static func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard RequiredTool.isInstalled("/usr/bin/openssl", sourceLocation: sourceLocation) else {
            throw TestSupportFailure(RequiredTool.missingMessage("/usr/bin/openssl"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = "openssl \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)): \(text)"
            Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
            throw TestSupportFailure(message)
        }
    }
}
