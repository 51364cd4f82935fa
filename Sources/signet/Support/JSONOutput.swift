import ArgumentParser
import SignetSupport
import Synchronization

/// The `--json` contract (DESIGN.md, CLI contract; issue 10 §4): every command given `--json` prints
/// exactly one JSON document on standard output, for success and for failure.
///
/// - Success: the command's own document (`Output.json`); a command that wrote none gets
///   `{"ok":true}` so a script never reads an empty stdout.
/// - Failure (any exit code but 0, parse errors included): `{"error":"<one line>","exitCode":N}`,
///   unless the command already wrote its own failure document (`verify` adds `trusted`, `image`).
/// - Human lines (`Output.line`) go to standard error instead, so stdout stays one document.
///
/// `SignetMain` turns the mode on from the raw arguments before parsing (so a parse error is JSON
/// too) and then from the parsed command's `--json` flag.
enum JSONOutput {
    private static let state = Mutex<(enabled: Bool, written: Bool)>((enabled: false, written: false))

    /// Whether `--json` is in effect for this process.
    static var isEnabled: Bool {
        get { state.withLock { $0.enabled } }
        set { state.withLock { $0.enabled = newValue } }
    }

    /// True once this process wrote its JSON document.
    static var documentWritten: Bool { state.withLock { $0.written } }

    /// Writes `value` as the process's JSON document (one line, sorted keys).
    static func write(_ value: Any) {
        guard let text = JSONLine.encode(value) else { return }
        state.withLock { $0.written = true }
        SystemFile.writeStandardOutput(text + "\n")
    }

    /// `{"error":…,"exitCode":N}` unless a document was written already.
    static func writeFailure(exitCode: Int32, message: String) {
        guard isEnabled, !documentWritten else { return }
        write(["error": message.replacingLiterally("\n", with: " "), "exitCode": Int(exitCode)] as [String: Any])
    }

    /// `{"ok":true}` for a successful command that wrote no document of its own.
    static func writeSuccessIfNeeded() {
        guard isEnabled, !documentWritten else { return }
        write(["ok": true])
    }

    /// Whether the raw arguments ask for JSON: `--json` before any `--`.
    static func requested(in arguments: [String]) -> Bool {
        arguments.dropFirst().prefix { $0 != "--" }.contains("--json")
    }

    /// The parsed command's `--json` flag (from its `GlobalOptions` or `JSONOption` group), or nil
    /// when the command has neither.
    static func requested(by command: ParsableCommand) -> Bool? {
        for child in Mirror(reflecting: command).children {
            if let group = child.value as? OptionGroup<GlobalOptions> { return group.wrappedValue.json }
            if let group = child.value as? OptionGroup<JSONOption> { return group.wrappedValue.json }
        }
        return nil
    }
}

/// `--json` for a command without `GlobalOptions` (`serve`).
struct JSONOption: ParsableArguments {
    @Flag(name: .long, help: "Machine-readable JSON output on stdout.")
    var json = false
}
