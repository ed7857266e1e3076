extension VerdictCache {
    /// A snapshot of the cache's counters, summed over its shards.
    public struct Statistics: Hashable, Sendable {
        /// Lookups answered from a live entry.
        public var hits: UInt64 = 0
        /// Lookups that found no live entry (including those that found an expired one).
        public var misses: UInt64 = 0
        /// Verdicts stored (a new entry, or an existing entry refreshed).
        public var insertions: UInt64 = 0
        /// Live entries dropped to make room (least recently used first).
        public var evictions: UInt64 = 0
        /// Entries dropped because their lifetime had passed (found by a lookup, or reached as the LRU victim).
        public var expirations: UInt64 = 0
        /// Entries held now (some may have expired and not been noticed yet).
        public var count: Int = 0
        /// The most entries the cache holds.
        public var capacity: Int = 0

        /// Adds another snapshot's counters to this one.
        mutating func add(_ other: Statistics) {
            hits += other.hits
            misses += other.misses
            insertions += other.insertions
            evictions += other.evictions
            expirations += other.expirations
            count += other.count
            capacity += other.capacity
        }
    }
}
