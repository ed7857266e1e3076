extension VerdictCache {
    /// The fixed-size 128-bit identity of one cached cryptographic fact.
    ///
    /// A key is derived by ``VerdictCache/key(repository:digest:attestor:keySetFingerprint:)`` from the
    /// repository identity, the image digest, the attestor name and the fingerprint of the attestor's key set.
    /// Two keys compare equal only when their 128 bits do; see ``VerdictCacheKeyDeriver`` for why a collision
    /// between different inputs is practically impossible.
    public struct Key: Hashable, Sendable, CustomStringConvertible {
        /// The first 64 bits (selects the shard).
        public let high: UInt64
        /// The last 64 bits (selects the bucket inside a shard).
        public let low: UInt64

        /// Wraps 128 bits that were derived elsewhere (tests, or a caller that keeps derived keys).
        ///
        /// - Parameters:
        ///   - high: The first 64 bits.
        ///   - low: The last 64 bits.
        public init(high: UInt64, low: UInt64) {
            self.high = high
            self.low = low
        }

        /// The key as 32 lower-case hex digits.
        public var description: String {
            let h = String(high, radix: 16)
            let l = String(low, radix: 16)
            return String(repeating: "0", count: 16 - h.count) + h + String(repeating: "0", count: 16 - l.count) + l
        }
    }
}
