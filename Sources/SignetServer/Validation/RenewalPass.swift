import Dispatch
import FoundationEssentials
import SignetTUF
import Synchronization

extension TrustServer {
    /// One renewal pass (issue 17): for every stored GUN (`StoredCollections`), re-sign what the
    /// server holds keys for — the timestamp, and the snapshot when server-managed — once it
    /// expires within `settings.renewalPercent`% of its lifetime (`Expiry.renewalDue`), through
    /// the same re-sign as a GET (`refreshServerRoles`) under the GUN's write lock. Notary only
    /// re-signs lazily on GET, so a collection nobody reads lets its timestamp run out.
    ///
    /// A GUN that cannot be re-signed (its root no longer lists the server's key, a version at the
    /// maximum, a storage failure) is logged and skipped; the pass carries on with the others.
    /// - Returns: the GUNs whose timestamp (and snapshot) were re-signed, in byte order.
    @discardableResult
    package func renewAhead() -> [String] {
        let guns: [String]
        do {
            let listed = try collections.list(store)
            if listed.truncated { logger.warning("more than \(StoredCollections.maxCollections) collections: the renewal pass covers the first ones only") }
            guns = listed.guns
        } catch {
            logger.error("renewal pass: cannot list the stored collections: \(error)")
            return []
        }
        var renewed: [String] = []
        for gun in guns where allows(gun: gun) {
            do {
                if try refreshServerRoles(gun: gun, renewalPercent: settings.renewalPercent) { renewed.append(gun) }
            } catch {
                logger.error("renewal pass: cannot re-sign \(gun): \(error)")
            }
        }
        return renewed
    }
}

/// Runs `TrustServer.renewAhead()` at start and then every `intervalSeconds` on its own queue,
/// until `stop()`. `signet serve` starts one; in-process tests call `renewAhead()` directly.
package final class RenewalSchedule: Sendable {
    private let trust: TrustServer
    private let intervalSeconds: Int
    private let queue = DispatchQueue(label: "signet.renewal")
    private let stopped = Mutex(false)

    /// - Parameter intervalSeconds: seconds between passes (at least 1).
    package init(trust: TrustServer, intervalSeconds: Int) {
        self.trust = trust
        self.intervalSeconds = max(1, intervalSeconds)
    }

    /// Starts the first pass now (in the background).
    package func start() {
        queue.async { self.pass() }
    }

    /// No pass starts after this; one under way finishes.
    package func stop() {
        stopped.withLock { $0 = true }
    }

    private func pass() {
        guard !stopped.withLock({ $0 }) else { return }
        trust.renewAhead()
        queue.asyncAfter(deadline: .now() + .seconds(intervalSeconds)) { self.pass() }
    }
}
