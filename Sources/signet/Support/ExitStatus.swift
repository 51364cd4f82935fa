import ArgumentParser
import FoundationEssentials
import SignetClient
import SignetCrypto
import SignetServer
import SignetSupport
import SignetTUF

/// The CLI contract's exit codes (DESIGN.md), and the one place errors map to them.
enum ExitStatus {
    static let success: Int32 = 0
    /// Verification failed, not trusted, not found.
    static let notTrusted: Int32 = 1
    /// Bad usage or bad input file.
    static let usage: Int32 = 2
    /// Cannot reach the server, or another I/O failure.
    static let io: Int32 = 3

    /// Prints `error` as one line on standard error and returns its exit code.
    static func report(_ error: Error) -> Int32 {
        if let exit = error as? ExitCode { return exit.rawValue }
        if Signet.exitCode(for: error) == .success {  // `signet help …` ends with a clean exit
            print(Signet.fullMessage(for: error))
            return success
        }
        let (code, message) = classify(error)
        Output.error(message)
        JSONOutput.writeFailure(exitCode: code, message: message)
        return code
    }

    /// An error from parsing or validating the command line.
    static func reportParseError(_ error: Error) -> Int32 {
        let message = Signet.fullMessage(for: error)
        if Signet.exitCode(for: error) == .success {
            print(message)
            return success
        }
        SystemFile.writeStandardError(message + "\n")
        JSONOutput.writeFailure(exitCode: usage, message: Signet.message(for: error))
        return usage
    }

    static func classify(_ error: Error) -> (Int32, String) {
        switch error {
        case let error as TUFError:
            // Metadata that fails any check — including metadata that is not even JSON — is "not
            // trusted" (1); only a name the user typed is bad usage (2).
            return (error.code == .invalidName ? usage : notTrusted, error.message)
        case let error as ClientError:
            switch error.code {
            case .usage: return (usage, error.message)
            case .io, .unreachable: return (io, error.message)
            case .notTrusted, .rejected, .key: return (notTrusted, error.message)
            }
        case let error as CryptoError:
            switch error.code {
            case .wrongPassphrase, .passphraseRequired: return (notTrusted, error.description)
            case .tls: return (io, error.description)
            default: return (usage, error.description)
            }
        case let error as ValidationError:
            return (usage, error.message)
        case let error as StorageMoveError:
            // `signet storage`: a copy that does not match its source is "not trusted"; a source or
            // destination that cannot be used as given is bad input.
            return (error.kind == .verificationFailed ? notTrusted : usage, error.message)
        default:
            return (io, "\(error)")
        }
    }
}

/// Human output to stdout, errors to stderr, one line each.
enum Output {
    /// Unbuffered, so that stdout and stderr lines keep their order in a combined log. With
    /// `--json` the line goes to stderr: stdout holds only the JSON document (`JSONOutput`).
    static func line(_ text: String) {
        if JSONOutput.isEnabled {
            SystemFile.writeStandardError(text + "\n")
        } else {
            SystemFile.writeStandardOutput(text + "\n")
        }
    }

    static func error(_ text: String) {
        let oneLine = text.replacingLiterally("\n", with: " ")
        SystemFile.writeStandardError("signet: \(oneLine)\n")
    }

    static func warning(_ text: String) {
        SystemFile.writeStandardError("signet: warning: \(text)\n")
    }

    /// Writes `value` as the command's JSON document (sorted keys, one line) to stdout.
    static func json(_ value: Any) {
        JSONOutput.write(value)
    }

    /// The command's result: `json` as its document with `--json`, else `human` as a line.
    static func result(_ json: [String: Any], _ human: String) {
        if JSONOutput.isEnabled { Output.json(json) } else { line(human) }
    }
}
