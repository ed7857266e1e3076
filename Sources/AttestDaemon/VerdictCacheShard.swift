#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One independently locked part of a ``VerdictCache``: an LRU list threaded through a fixed array of entries,
/// indexed by an open-addressing hash table of 32-bit slot numbers.
///
/// Nothing is allocated per entry: entries live in one array sized to the shard's capacity (allocated without
/// touching its pages, so memory grows with use), and the table holds `slot + 1` (0 = empty) in a zeroed
/// allocation at most half full. The keys are PRF outputs, so their bits index the table directly (no rehash),
/// and linear probing with backward-shift deletion needs no tombstones. This costs 40 + 8…16 bytes per entry,
/// against ≈ 60–100 for `[Key: Int32]` plus the arrays, and skips `Hasher` on every probe.
struct VerdictCacheShard: ~Copyable {
    /// One cached verdict and its place in the LRU list.
    struct Entry {
        var key: VerdictCache.Key
        var expiry: UInt64
        var newer: Int32
        var older: Int32
        var keyIndexPlusOne: UInt16
        var reason: UInt8
    }

    static let none: Int32 = -1

    let capacity: Int32
    private let entries: UnsafeMutablePointer<Entry>
    private let buckets: UnsafeMutablePointer<Int32>
    private let bucketMask: Int
    /// Slots `0..<initialized` have been written at least once.
    private var initialized: Int32 = 0
    /// Slots freed by expiry or removal, linked through `older`.
    private var freeList: Int32 = none
    private var newest: Int32 = none
    private var oldest: Int32 = none
    private(set) var count: Int32 = 0
    private(set) var statistics = VerdictCache.Statistics()

    /// Creates an empty shard.
    ///
    /// - Parameter capacity: The most entries, at least 1.
    init(capacity: Int32) {
        self.capacity = capacity
        entries = .allocate(capacity: Int(capacity))
        var bucketCount = 2
        while bucketCount < Int(capacity) * 2 { bucketCount <<= 1 }
        bucketMask = bucketCount - 1
        // calloc: zero means empty, and untouched pages of a large table cost no memory until used.
        guard let raw = calloc(bucketCount, MemoryLayout<Int32>.stride) else {
            fatalError("cannot allocate \(bucketCount) verdict cache buckets")
        }
        buckets = raw.bindMemory(to: Int32.self, capacity: bucketCount)
        statistics.capacity = Int(capacity)
    }

    deinit {
        // Entry is a trivial type: no deinitialisation needed.
        entries.deallocate()
        free(buckets)
    }

    /// The bytes this shard has allocated for a full load.
    var allocatedBytes: Int {
        Int(capacity) * MemoryLayout<Entry>.stride + (bucketMask + 1) * MemoryLayout<Int32>.stride
    }

    // MARK: - Operations

    /// Looks a key up, dropping it if it has expired.
    mutating func lookup(_ key: VerdictCache.Key, now: UInt64) -> VerdictCache.Verdict? {
        guard let (slot, bucket) = find(key) else {
            statistics.misses += 1
            return nil
        }
        let entry = entries[Int(slot)]
        if entry.expiry <= now {
            unlink(slot)
            removeBucket(at: bucket)
            release(slot)
            statistics.expirations += 1
            statistics.misses += 1
            return nil
        }
        moveToFront(slot)
        statistics.hits += 1
        return VerdictCache.Verdict(keyIndexPlusOne: entry.keyIndexPlusOne, reason: entry.reason)
    }

    /// Stores a verdict, replacing any entry for the key and evicting the least recently used when full.
    mutating func insert(_ key: VerdictCache.Key, verdict: VerdictCache.Verdict, expiry: UInt64, now: UInt64) {
        statistics.insertions += 1
        let packed = verdict.packed
        if let (slot, _) = find(key) {
            entries[Int(slot)].expiry = expiry
            entries[Int(slot)].keyIndexPlusOne = packed.keyIndexPlusOne
            entries[Int(slot)].reason = packed.reason
            moveToFront(slot)
            return
        }
        if count == capacity {
            let victim = oldest
            if entries[Int(victim)].expiry <= now {
                statistics.expirations += 1
            } else {
                statistics.evictions += 1
            }
            remove(slot: victim)
        }
        let slot = allocate()
        entries.advanced(by: Int(slot)).initialize(
            to: Entry(
                key: key,
                expiry: expiry,
                newer: Self.none,
                older: Self.none,
                keyIndexPlusOne: packed.keyIndexPlusOne,
                reason: packed.reason
            )
        )
        var bucket = Int(truncatingIfNeeded: key.low) & bucketMask
        while buckets[bucket] != 0 { bucket = (bucket + 1) & bucketMask }
        buckets[bucket] = slot + 1
        linkAtFront(slot)
    }

    /// Removes a key's entry.
    ///
    /// - Returns: Whether there was one.
    mutating func remove(_ key: VerdictCache.Key) -> Bool {
        guard let (slot, bucket) = find(key) else { return false }
        unlink(slot)
        removeBucket(at: bucket)
        release(slot)
        return true
    }

    /// Drops every entry; the counters stay.
    mutating func removeAll() {
        memset(buckets, 0, (bucketMask + 1) * MemoryLayout<Int32>.stride)
        initialized = 0
        freeList = Self.none
        newest = Self.none
        oldest = Self.none
        count = 0
    }

    /// The keys from most to least recently used (tests).
    func keysByRecency() -> [VerdictCache.Key] {
        var keys: [VerdictCache.Key] = []
        var slot = newest
        while slot != Self.none {
            keys.append(entries[Int(slot)].key)
            slot = entries[Int(slot)].older
        }
        return keys
    }

    /// The counters with the current count.
    var snapshot: VerdictCache.Statistics {
        var copy = statistics
        copy.count = Int(count)
        return copy
    }

    // MARK: - Table

    private func find(_ key: VerdictCache.Key) -> (slot: Int32, bucket: Int)? {
        var bucket = Int(truncatingIfNeeded: key.low) & bucketMask
        while true {
            let stored = buckets[bucket]
            if stored == 0 { return nil }
            if entries[Int(stored - 1)].key == key { return (stored - 1, bucket) }
            bucket = (bucket + 1) & bucketMask
        }
    }

    /// Empties a bucket and shifts later members of its probe run back, so lookups never need tombstones.
    private func removeBucket(at start: Int) {
        var hole = start
        var probe = start
        while true {
            probe = (probe + 1) & bucketMask
            let stored = buckets[probe]
            if stored == 0 { break }
            let home = Int(truncatingIfNeeded: entries[Int(stored - 1)].key.low) & bucketMask
            // The entry may fill the hole only if its home is not after the hole (cyclically) on its run.
            if (probe &- home) & bucketMask >= (probe &- hole) & bucketMask {
                buckets[hole] = stored
                hole = probe
            }
        }
        buckets[hole] = 0
    }

    private mutating func remove(slot: Int32) {
        var bucket = Int(truncatingIfNeeded: entries[Int(slot)].key.low) & bucketMask
        while buckets[bucket] != slot + 1 { bucket = (bucket + 1) & bucketMask }
        unlink(slot)
        removeBucket(at: bucket)
        release(slot)
    }

    // MARK: - Slots and the LRU list

    private mutating func allocate() -> Int32 {
        count += 1
        if freeList != Self.none {
            let slot = freeList
            freeList = entries[Int(slot)].older
            return slot
        }
        initialized += 1
        return initialized - 1
    }

    private mutating func release(_ slot: Int32) {
        count -= 1
        entries[Int(slot)].older = freeList
        freeList = slot
    }

    private mutating func linkAtFront(_ slot: Int32) {
        entries[Int(slot)].newer = Self.none
        entries[Int(slot)].older = newest
        if newest != Self.none { entries[Int(newest)].newer = slot } else { oldest = slot }
        newest = slot
    }

    private mutating func unlink(_ slot: Int32) {
        let newer = entries[Int(slot)].newer
        let older = entries[Int(slot)].older
        if newer != Self.none { entries[Int(newer)].older = older } else { newest = older }
        if older != Self.none { entries[Int(older)].newer = newer } else { oldest = newer }
    }

    private mutating func moveToFront(_ slot: Int32) {
        guard newest != slot else { return }
        unlink(slot)
        linkAtFront(slot)
    }
}
