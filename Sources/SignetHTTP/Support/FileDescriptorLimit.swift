import Glibc
import Logging

/// The open-file limit (`RLIMIT_NOFILE`) and the connection limit that fits in it.
enum FileDescriptorLimit {
    /// Descriptors kept for everything but client connections: the listener, epoll, eventfd, store
    /// files, logs, TLS material.
    static let reserved = 128

    /// Raises the soft `RLIMIT_NOFILE` (up to the hard limit) so `connections` client sockets fit.
    /// - Returns: the connections that fit: `connections`, or fewer when the hard limit is lower (then a
    ///   warning names both numbers).
    static func raise(toFit connections: Int, logger: Logger) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return connections }
        let (needed, overflow) = connections.addingReportingOverflow(reserved)
        let wanted = overflow ? rlim_t.max : rlim_t(needed)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = min(wanted, limit.rlim_max)
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        guard limit.rlim_cur < wanted else { return connections }
        let fits = max(1, Int(clamping: limit.rlim_cur) - reserved)
        logger.warning("cannot raise the open-file limit (RLIMIT_NOFILE) to fit the connection limit; serving fewer connections", metadata: [
            "max_connections": "\(connections)", "nofile_soft": "\(limit.rlim_cur)", "nofile_hard": "\(limit.rlim_max)", "connections": "\(fits)",
        ])
        return fits
    }
}
