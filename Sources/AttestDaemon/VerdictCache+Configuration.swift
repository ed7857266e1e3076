extension VerdictCache {
    /// Size, lifetimes and sharding of a verdict cache.
    public struct Configuration: Sendable, Hashable {
        /// The most entries the cache holds; the least recently used entry goes first when it is full.
        public var capacity: Int
        /// How long a positive verdict is answered from the cache.
        public var positiveTTL: Duration
        /// How long a definitive negative verdict is answered from the cache (normally shorter: an image may be
        /// attested a moment later).
        public var negativeTTL: Duration
        /// The number of independently locked shards, a power of two; `nil` picks one from the capacity.
        public var shardCount: Int?

        /// Creates a configuration.
        ///
        /// - Parameters:
        ///   - capacity: The most entries; at least 1 and at most 2^31 - 1.
        ///   - positiveTTL: Lifetime of positive verdicts; positive.
        ///   - negativeTTL: Lifetime of negative verdicts; positive and not longer than `positiveTTL`.
        ///   - shardCount: A power of two in 1...1024 not above `capacity`, or `nil` for a default.
        public init(
            capacity: Int = 1_000_000,
            positiveTTL: Duration = .seconds(600),
            negativeTTL: Duration = .seconds(30),
            shardCount: Int? = nil
        ) {
            self.capacity = capacity
            self.positiveTTL = positiveTTL
            self.negativeTTL = negativeTTL
            self.shardCount = shardCount
        }

        /// The shard count in effect: the given one, or 32 shrunk so that every shard holds at least 256 entries.
        var effectiveShardCount: Int {
            if let shardCount { return shardCount }
            var count = 32
            while count > 1 && capacity / count < 256 { count /= 2 }
            return count
        }

        /// Checks every field.
        ///
        /// - Throws: ``VerdictCacheError`` with code ``VerdictCacheError/Code/invalidConfiguration`` naming the
        ///   field and the value that is wrong.
        func validate() throws(VerdictCacheError) {
            guard capacity >= 1 && capacity <= Int(Int32.max) else {
                throw VerdictCacheError(.invalidConfiguration, "cache capacity \(capacity) is outside 1...\(Int32.max)")
            }
            guard positiveTTL > .zero else {
                throw VerdictCacheError(.invalidConfiguration, "cache positiveTTL \(positiveTTL) must be positive")
            }
            guard negativeTTL > .zero else {
                throw VerdictCacheError(.invalidConfiguration, "cache negativeTTL \(negativeTTL) must be positive")
            }
            guard negativeTTL <= positiveTTL else {
                throw VerdictCacheError(
                    .invalidConfiguration,
                    "cache negativeTTL \(negativeTTL) is longer than positiveTTL \(positiveTTL); negative verdicts "
                        + "must not outlive positive ones"
                )
            }
            let shards = effectiveShardCount
            guard shards >= 1 && shards <= 1024 && shards & (shards - 1) == 0 else {
                throw VerdictCacheError(
                    .invalidConfiguration,
                    "cache shardCount \(shards) is not a power of two in 1...1024"
                )
            }
            guard shards <= capacity else {
                throw VerdictCacheError(
                    .invalidConfiguration,
                    "cache shardCount \(shards) is larger than capacity \(capacity)"
                )
            }
        }
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at `UInt64.max` (negative durations give 0).
    var saturatingNanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
