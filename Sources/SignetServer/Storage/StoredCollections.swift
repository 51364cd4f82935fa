import FoundationEssentials
import SignetTUF
import Synchronization

/// Which GUNs the store holds, for what goes over every collection (the renewal pass, the
/// `/metrics` role gauges, the web page): read from the changefeed every `MetadataStore` keeps
/// (reference §2.7: each stored timestamp is an `update`, a deleted GUN a `deletion`), so it needs
/// nothing of the store beyond the protocol, and works for the file store and PostgreSQL alike.
///
/// The feed is read incrementally: each call reads only the records after the last one seen, in
/// pages of `pageRecords`, so a scrape of `/metrics` does not re-read a long feed. A GUN is stored
/// when its newest record is an `update`. At most `maxCollections` GUNs are kept (the rest are
/// left out and logged once per call by the caller through `truncated`).
final class StoredCollections: Sendable {
    /// Records asked for per changefeed read (the route's own maximum).
    static let pageRecords = 10_000
    /// Most GUNs listed.
    static let maxCollections = 100_000

    private struct State {
        var lastID: Int64 = 0
        /// GUNs whose newest record is an `update`, as bytes (`ExactName`: NFC and NFD are two GUNs).
        var live = Set<ExactName.Key>()
        var truncated = false
    }
    private let state = Mutex(State())

    /// The stored GUNs, sorted by their bytes.
    /// - Returns: the GUNs and whether some were left out (more than `maxCollections`).
    /// - Throws: `StorageError` from reading the changefeed.
    func list(_ store: any MetadataStore) throws -> (guns: [String], truncated: Bool) {
        // One reader at a time: the state moves forward record by record.
        try state.withLock { state in
            while true {
                let page = try store.changes(gun: nil, changeID: state.lastID, records: Self.pageRecords)
                for record in page {
                    if record.category == "deletion" {
                        state.live.remove(ExactName.Key(record.gun))
                    } else if state.live.contains(ExactName.Key(record.gun)) || state.live.count < Self.maxCollections {
                        state.live.insert(ExactName.Key(record.gun))
                    } else {
                        state.truncated = true
                    }
                    state.lastID = max(state.lastID, record.id)
                }
                if page.count < Self.pageRecords { break }
            }
            let guns = state.live.map(\.bytes).sorted { $0.lexicographicallyPrecedes($1) }.map { String(decoding: $0, as: UTF8.self) }
            return (guns, state.truncated)
        }
    }
}
