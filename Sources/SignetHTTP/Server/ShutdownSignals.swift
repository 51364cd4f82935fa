import Dispatch
import Glibc
import Synchronization

/// Calls `onSignal` (on a Dispatch queue) whenever the process receives SIGTERM or SIGINT, instead of
/// the default action of dying, so `signet serve` can call `HTTPServer.shutdown(gracePeriod:)`.
///
/// The default actions are first set to ignored (`signal(…, SIG_IGN)`), which Dispatch signal sources
/// require; SIGPIPE is ignored too (writes report EPIPE instead). Call once, early in `main` (before
/// `HTTPServer.start()`): Dispatch registers the sources asynchronously, and a signal arriving in that
/// short window is ignored. Each call adds more sources, which stay installed for the life of the process.
public func installShutdownSignalHandlers(_ onSignal: @escaping @Sendable () -> Void) {
    signal(SIGPIPE, SIG_IGN)
    for number in [SIGTERM, SIGINT] {
        signal(number, SIG_IGN)
        SignalSources.shared.add(signal: number, onSignal)
    }
}

/// Keeps signal sources alive (a cancelled or released source stops delivering).
private final class SignalSources: Sendable {
    static let shared = SignalSources()
    private let sources = Mutex<[DispatchSourceSignal]>([])

    /// Creates, starts and keeps a source calling `onSignal` for signal `number`.
    func add(signal number: Int32, _ onSignal: @escaping @Sendable () -> Void) {
        sources.withLock { sources in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { onSignal() }
            source.resume()
            sources.append(source)
        }
    }
}
