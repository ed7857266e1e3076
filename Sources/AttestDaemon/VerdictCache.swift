import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bounded, sharded LRU cache of cryptographic facts: "attestor A is (not) satisfied for repository R at
/// digest D under key set F".
///
/// Only these facts are cached, never policy decisions: policy is evaluated on every request and asks the
/// cache per attestor. Because the key set fingerprint is part of the key, a configuration change that alters
/// an attestor's keys produces different keys, and no entry made under the old keys can answer for the new
/// ones; nothing needs to be flushed or versioned on reload (old entries age out through the LRU).
///
/// Positive verdicts live for ``Configuration/positiveTTL``, definitive negative ones for the shorter
/// ``Configuration/negativeTTL``; ``Verdict`` cannot express a transient failure, so none is ever cached.
///
/// The cache is split into power-of-two shards chosen by the key's high bits, each behind its own `Mutex`;
/// counters are plain integers updated under that lock (exact, and free of atomic cache-line traffic) and
/// summed by ``statistics``.
public final class VerdictCache: Sendable {
    /// A source of monotonic time in nanoseconds.
    public typealias Clock = @Sendable () -> UInt64

    /// The configuration the cache was built with.
    public let configuration: Configuration
    /// The derivation of keys from (repository, digest, attestor, key set fingerprint).
    public let keyDeriver: VerdictCacheKeyDeriver

    private let shards: [ShardBox]
    private let shardMask: UInt64
    private let clock: Clock
    private let positiveTTL: UInt64
    private let negativeTTL: UInt64

    /// Holds one shard behind its lock; a class so the `~Copyable` mutex can live in an array.
    private final class ShardBox: Sendable {
        let mutex: Mutex<VerdictCacheShard>

        init(capacity: Int32) {
            mutex = Mutex(VerdictCacheShard(capacity: capacity))
        }
    }

    /// Creates an empty cache.
    ///
    /// - Parameters:
    ///   - configuration: Capacity, lifetimes and shard count.
    ///   - keyDeriver: The key derivation; a fresh random secret by default.
    ///   - clock: Monotonic nanoseconds; ``monotonicNanoseconds()`` by default, injectable for tests.
    /// - Throws: ``VerdictCacheError`` with code ``VerdictCacheError/Code/invalidConfiguration`` when a field is
    ///   out of range.
    public init(
        configuration: Configuration = Configuration(),
        keyDeriver: VerdictCacheKeyDeriver = VerdictCacheKeyDeriver(),
        clock: @escaping Clock = VerdictCache.monotonicNanoseconds
    ) throws(VerdictCacheError) {
        try configuration.validate()
        self.configuration = configuration
        self.keyDeriver = keyDeriver
        self.clock = clock
        positiveTTL = configuration.positiveTTL.saturatingNanoseconds
        negativeTTL = configuration.negativeTTL.saturatingNanoseconds
        let shardCount = configuration.effectiveShardCount
        shardMask = UInt64(shardCount - 1)
        // Spread the capacity exactly, so the total bound is the configured one.
        let base = configuration.capacity / shardCount
        let remainder = configuration.capacity % shardCount
        shards = (0..<shardCount).map { index in
            ShardBox(capacity: Int32(base + (index < remainder ? 1 : 0)))
        }
    }

    /// Reads `CLOCK_MONOTONIC` in nanoseconds.
    ///
    /// - Returns: Nanoseconds since an arbitrary fixed point (boot); never goes backwards.
    @Sendable public static func monotonicNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    // MARK: - Keys

    /// Derives the key of one fact with this cache's secret.
    ///
    /// - Parameters:
    ///   - repository: The normalised repository identity.
    ///   - digest: The image digest, canonical spelling.
    ///   - attestor: The attestor name.
    ///   - keySetFingerprint: The fingerprint of the attestor's current key set.
    /// - Returns: The 128-bit key.
    public func key(repository: String, digest: String, attestor: String, keySetFingerprint: String) -> Key {
        keyDeriver.key(repository: repository, digest: digest, attestor: attestor, keySetFingerprint: keySetFingerprint)
    }

    // MARK: - Operations

    /// Looks a fact up and marks it most recently used.
    ///
    /// - Parameter key: The fact's key.
    /// - Returns: The verdict, or `nil` when there is none or it has expired (an expired entry is dropped).
    public func lookup(_ key: Key) -> Verdict? {
        let now = clock()
        return shard(for: key).mutex.withLock { $0.lookup(key, now: now) }
    }

    /// The cache clock's current reading, for ``lookup(_:now:)``.
    var now: UInt64 {
        clock()
    }

    /// Looks a fact up as of a clock reading taken earlier (one reading can serve a whole batch of lookups).
    ///
    /// - Parameters:
    ///   - key: The fact's key.
    ///   - now: A reading of ``now``.
    /// - Returns: The verdict, or `nil` when there is none or it had expired at `now`.
    func lookup(_ key: Key, now: UInt64) -> Verdict? {
        shard(for: key).mutex.withLock { $0.lookup(key, now: now) }
    }

    /// Stores a definitive verdict, replacing any earlier one for the key.
    ///
    /// - Parameters:
    ///   - verdict: The verdict; it lives for the positive or negative lifetime from now.
    ///   - key: The fact's key.
    public func insert(_ verdict: Verdict, for key: Key) {
        let now = clock()
        let ttl = verdict.isSatisfied ? positiveTTL : negativeTTL
        let (expiry, overflow) = now.addingReportingOverflow(ttl)
        let deadline = overflow ? UInt64.max : expiry
        shard(for: key).mutex.withLock { $0.insert(key, verdict: verdict, expiry: deadline, now: now) }
    }

    /// Forgets one fact (for example when new attestations arrive for an image that had a negative verdict).
    ///
    /// - Parameter key: The fact's key.
    /// - Returns: Whether there was an entry.
    @discardableResult
    public func removeValue(for key: Key) -> Bool {
        shard(for: key).mutex.withLock { $0.remove(key) }
    }

    /// Forgets every fact; the counters keep counting.
    public func removeAll() {
        for box in shards {
            box.mutex.withLock { $0.removeAll() }
        }
    }

    /// The counters and the current size, summed over all shards.
    public var statistics: Statistics {
        var total = Statistics()
        for box in shards {
            total.add(box.mutex.withLock { $0.snapshot })
        }
        return total
    }

    /// The bytes per entry the cache allocates when full: the entry arrays plus the hash tables, over capacity.
    ///
    /// This counts the cache's own allocations from their sizes; allocator overhead is a few bytes per shard.
    public var approximateBytesPerEntry: Double {
        var bytes = 0
        for box in shards {
            bytes += box.mutex.withLock { $0.allocatedBytes }
        }
        return Double(bytes) / Double(configuration.capacity)
    }

    /// The number of shards.
    public var shardCount: Int {
        shards.count
    }

    /// The keys of one shard from most to least recently used (tests of the eviction order).
    ///
    /// - Parameter shard: The shard index.
    /// - Returns: Its keys, most recently used first.
    func keysByRecency(shard: Int) -> [Key] {
        shards[shard].mutex.withLock { $0.keysByRecency() }
    }

    private func shard(for key: Key) -> ShardBox {
        shards[Int(truncatingIfNeeded: key.high & shardMask)]
    }
}
