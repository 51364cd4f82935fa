import ArgumentParser
import Glibc
import SignetSupport

/// `-q/--quiet` for the commands that show progress on long work.
struct ProgressOption: ParsableArguments {
    @Flag(name: [.customShort("q"), .long], help: "No progress line on stderr (it is only shown when stderr is a terminal).")
    var quiet = false
}

/// One progress line on standard error for long work (issue 17 §4): `hashing payload.bin  812.0 MB
/// of 2.1 GB  305.4 MB/s  ETA 4 s`, or `staging  1200 of 5000  ETA 2 s`, rewritten in place
/// (`\r` and erase-line) at most ten times a second, and erased when the work ends.
///
/// Only when standard error is a terminal (`isatty(2)`), not with `--quiet`, and never with
/// `--json` (whose readers parse stdout, but may log stderr): piped or redirected, it writes
/// nothing at all, so logs and CI output stay clean.
final class ProgressLine {
    enum Unit { case bytes, items }

    private let label: String
    private var total: Int64?
    private let unit: Unit
    private let enabled: Bool
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    /// - Parameters:
    ///   - total: bytes or items in all, nil when unknown (no ETA then).
    ///   - quiet: `--quiet`.
    init(_ label: String, total: Int64?, unit: Unit, quiet: Bool) {
        self.label = label
        self.total = total
        self.unit = unit
        enabled = !quiet && !JSONOutput.isEnabled && isatty(STDERR_FILENO) == 1
    }

    /// Reports `done` bytes or items so far (and the total, when it is known only now).
    func update(_ done: Int64, total newTotal: Int64? = nil) {
        guard enabled else { return }
        if let newTotal { total = newTotal }
        let now = ContinuousClock.now
        if let lastDraw, now - lastDraw < .milliseconds(100) { return }
        lastDraw = now
        let elapsed = Self.seconds(now - start)
        var text = "\(label)  "
        switch unit {
        case .bytes:
            text += Self.bytes(done) + (total.map { " of " + Self.bytes($0) } ?? "")
            if elapsed > 0 { text += "  " + Self.bytes(Int64(Double(done) / elapsed)) + "/s" }
        case .items:
            text += "\(done)" + (total.map { " of \($0)" } ?? "")
        }
        if let total, done > 0, elapsed > 0.2, total > done {
            let remaining = elapsed * Double(total - done) / Double(done)
            text += "  ETA \(Int(remaining.rounded(.up))) s"
        }
        SystemFile.writeStandardError("\r\u{1B}[K" + text)
        drawn = true
    }

    /// Erases the line (the command's own output follows on a clean line).
    func finish() {
        guard enabled, drawn else { return }
        SystemFile.writeStandardError("\r\u{1B}[K")
        drawn = false
    }

    /// The size of a regular file in bytes, nil when it cannot be stat'ed or is not one.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `812.0 MB`, decimal units as `ls -h --si` and download tools print them.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count)
        var index = 0
        while value >= 1000, index < units.count - 1 { value /= 1000; index += 1 }
        return index == 0 ? "\(count) B" : "\((value * 10).rounded() / 10) \(units[index])"
    }
}
