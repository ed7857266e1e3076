import AttestCore
import Synchronization

/// A bounded in-memory copy of recent store lookups: each image's attestation records (also an empty list),
/// kept so that re-verifying an image does not read the SQLite file again.
///
/// It holds records, never verdicts: every attestation it returns is verified again by the caller. It is kept
/// coherent with the file by ``AttestationStore``: before any lookup is answered from memory, the reading
/// connection asks SQLite (`PRAGMA data_version`, read before the cache is consulted) whether any other
/// connection, in this process or another, committed since that connection last asked. A commit empties the
/// cache and starts a new ``generation``; a read that began under an older generation does not insert what it
/// read. So a lookup never returns records older than the newest commit that the store's own uncached read
/// would have seen.
///
/// Eviction is by two generations, a cheap approximation of least-recently-used: new records go into the young
/// half; a record found in the old half moves to the young one; when the young half reaches half of either
/// limit it becomes the old half and the previous old half is dropped. Memory stays within the limits plus one
/// image's records.
final class StoreRecordCache: Sendable {
    /// An image: its repository identity and digest.
    struct Key: Hashable, Sendable {
        var repository: String
        var digest: String

        /// Hashes the digest alone: it tells images apart almost always, and it is hashed at every lookup.
        func hash(into hasher: inout Hasher) { hasher.combine(digest) }
    }

    private struct Entry {
        var records: [StoredAttestation]
        var bytes: Int
    }

    private struct State {
        var young: [Key: Entry] = [:]
        var youngBytes = 0
        var old: [Key: Entry] = [:]
        var oldBytes = 0
        var generation: UInt64 = 0
        var statistics = AttestationStore.RecordCacheStatistics()
    }

    private let state = Mutex(State())
    private let halfEntries: Int
    private let halfBytes: Int

    /// Creates an empty cache.
    ///
    /// - Parameter limits: the most images and bytes kept; both must be positive.
    init(limits: AttestationStore.RecordCacheLimits) {
        halfEntries = max(1, limits.maxEntries / 2)
        halfBytes = max(1, limits.maxBytes / 2)
    }

    /// The current generation; a read that starts now inserts only while it is unchanged.
    var generation: UInt64 { state.withLock { $0.generation } }

    /// Counters and sizes since the cache was made.
    var statistics: AttestationStore.RecordCacheStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.entries = state.young.count + state.old.count
            statistics.bytes = state.youngBytes + state.oldBytes
            return statistics
        }
    }

    /// Drops every record and starts a new generation (the store changed).
    func invalidate() {
        let dropped: (young: [Key: Entry], old: [Key: Entry]) = state.withLock { state in
            let dropped = (state.young, state.old)
            state.young = [:]
            state.old = [:]
            state.youngBytes = 0
            state.oldBytes = 0
            state.generation &+= 1
            state.statistics.invalidations += 1
            return dropped
        }
        _ = dropped  // released here, outside the lock
    }

    /// Looks up several images at once.
    ///
    /// - Parameter keys: the images.
    /// - Returns: each image's records, or `nil` where the cache has none, in the order of `keys`.
    func records(for keys: [Key]) -> [[StoredAttestation]?] {
        var dropped: [[Key: Entry]] = []
        let found: [[StoredAttestation]?] = state.withLock { state in
            var found: [[StoredAttestation]?] = []
            found.reserveCapacity(keys.count)
            for key in keys {
                if let entry = state.young[key] {
                    found.append(entry.records)
                } else if let entry = state.old.removeValue(forKey: key) {
                    state.oldBytes -= entry.bytes
                    Self.add(
                        entry,
                        for: key,
                        to: &state,
                        halfEntries: halfEntries,
                        halfBytes: halfBytes,
                        dropping: &dropped
                    )
                    found.append(entry.records)
                } else {
                    found.append(nil)
                }
            }
            let hits = found.reduce(0) { $0 + ($1 == nil ? 0 : 1) }
            state.statistics.hits += UInt64(hits)
            state.statistics.misses += UInt64(found.count - hits)
            return found
        }
        dropped.removeAll()  // released here, outside the lock
        return found
    }

    /// Remembers what a read found, unless the store changed since the read began.
    ///
    /// - Parameters:
    ///   - found: images and their records, as read in one snapshot.
    ///   - generation: ``generation`` as it was before that snapshot was taken.
    func insert(_ found: [(key: Key, records: [StoredAttestation])], readIn generation: UInt64) {
        if found.isEmpty { return }
        let sized = found.map { (key: $0.key, entry: Entry(records: $0.records, bytes: Self.size(of: $0))) }
        var dropped: [[Key: Entry]] = []
        state.withLock { state in
            guard state.generation == generation else {
                state.statistics.staleReads += 1
                return
            }
            for item in sized where item.entry.bytes <= halfBytes {
                if let replaced = state.young.removeValue(forKey: item.key) { state.youngBytes -= replaced.bytes }
                if let replaced = state.old.removeValue(forKey: item.key) { state.oldBytes -= replaced.bytes }
                Self.add(
                    item.entry,
                    for: item.key,
                    to: &state,
                    halfEntries: halfEntries,
                    halfBytes: halfBytes,
                    dropping: &dropped
                )
            }
        }
        dropped.removeAll()  // released here, outside the lock
    }

    /// Adds an entry to the young half, turning the young half old first when it is full; a dropped old half
    /// is appended to `dropping`, for the caller to release outside the lock.
    private static func add(
        _ entry: Entry,
        for key: Key,
        to state: inout State,
        halfEntries: Int,
        halfBytes: Int,
        dropping: inout [[Key: Entry]]
    ) {
        if state.young.count >= halfEntries || state.youngBytes + entry.bytes > halfBytes {
            dropping.append(state.old)
            state.statistics.evictions += UInt64(state.old.count)
            state.old = state.young
            state.oldBytes = state.youngBytes
            state.young = [:]
            state.young.reserveCapacity(min(halfEntries, 4096))
            state.youngBytes = 0
        }
        state.young[key] = entry
        state.youngBytes += entry.bytes
    }

    /// What an image's records cost in memory, roughly: their bytes and strings plus a fixed overhead each.
    private static func size(of item: (key: Key, records: [StoredAttestation])) -> Int {
        var bytes = 96 + item.key.repository.utf8.count + item.key.digest.utf8.count
        for record in item.records {
            bytes += 160 + record.payload.count + record.signature.count + (record.keyID?.utf8.count ?? 0)
            bytes += record.source.utf8.count
        }
        return bytes
    }
}

extension AttestationStore {
    /// How much the store keeps of recent lookups in memory (see ``AttestationStore/init(path:createDirectory:recordCache:)``).
    public struct RecordCacheLimits: Sendable, Hashable {
        /// The most images whose records are kept.
        public var maxEntries: Int
        /// The most bytes of records kept (payloads, signatures, strings and a fixed overhead per record).
        public var maxBytes: Int

        /// Creates limits.
        ///
        /// - Parameters:
        ///   - maxEntries: the most images kept; at least 2 to keep anything useful.
        ///   - maxBytes: the most bytes kept.
        public init(maxEntries: Int, maxBytes: Int) {
            self.maxEntries = maxEntries
            self.maxBytes = maxBytes
        }
    }

    /// What the record cache did since the store was opened.
    public struct RecordCacheStatistics: Sendable, Hashable {
        /// Images answered from memory.
        public var hits: UInt64 = 0
        /// Images read from the file.
        public var misses: UInt64 = 0
        /// Images dropped to stay within the limits.
        public var evictions: UInt64 = 0
        /// Times the cache was emptied because the file changed (or a new read connection started).
        public var invalidations: UInt64 = 0
        /// Reads whose records were not kept because the file changed while they ran.
        public var staleReads: UInt64 = 0
        /// Images held now.
        public var entries = 0
        /// Bytes held now (as estimated for the limit).
        public var bytes = 0

        /// Creates zero statistics.
        public init() {}
    }
}
