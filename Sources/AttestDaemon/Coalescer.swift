import Synchronization

/// Computes identical work in flight at the same time once, and shares the result with every caller.
///
/// The first caller for a key starts the work; callers that arrive while it runs are attached as waiters;
/// ``complete(key:value:)`` delivers the one result to all of them and forgets the key, so the next call for
/// that key starts fresh work (the verdict cache, not the coalescer, remembers results).
///
/// Keys are spread over independently locked shards by their hash; waiters are called outside every lock.
public final class Coalescer<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// Receives the shared result.
    public typealias Waiter = @Sendable (Value) -> Void

    /// What ``run(key:waiter:start:)`` did with a caller.
    public enum Outcome: Hashable, Sendable {
        /// The caller's work started: it must lead to exactly one ``complete(key:value:)`` for the key.
        case started
        /// Identical work was already in flight; the waiter was attached to it.
        case coalesced
    }

    /// A snapshot of the counters.
    public struct Statistics: Hashable, Sendable {
        /// Calls that started work.
        public var started: UInt64 = 0
        /// Calls attached to work already in flight.
        public var coalesced: UInt64 = 0
        /// Completions that found work in flight.
        public var completed: UInt64 = 0
        /// Keys in flight now.
        public var inFlight: Int = 0
    }

    private struct Pending {
        var first: Waiter
        var others: [Waiter] = []
    }

    private struct Shard: ~Copyable {
        var pending: [Key: Pending] = [:]
        var statistics = Statistics()
    }

    private final class ShardBox: Sendable {
        let mutex = Mutex(Shard())
    }

    private let shards: [ShardBox]

    /// Creates an empty coalescer.
    ///
    /// - Parameter shardCount: The number of independently locked shards, at least 1.
    public init(shardCount: Int = 16) {
        precondition(shardCount >= 1, "a coalescer needs at least one shard, not \(shardCount)")
        shards = (0..<shardCount).map { _ in ShardBox() }
    }

    /// Starts the work for a key, or attaches to the identical work already in flight.
    ///
    /// - Parameters:
    ///   - key: What identifies the work.
    ///   - waiter: Receives the result, once, on the thread that calls ``complete(key:value:)``.
    ///   - start: Called (outside the lock, before this method returns) only when this call starts the work;
    ///     it must arrange for exactly one ``complete(key:value:)`` for the key, also when the work fails
    ///     (carry the failure in `Value`), or the waiters wait for ever.
    /// - Returns: Whether this call started the work or was coalesced.
    @discardableResult
    public func run(key: Key, waiter: @escaping Waiter, start: (Key) -> Void) -> Outcome {
        let outcome: Outcome = shard(for: key).mutex.withLock { shard in
            // Look up, then assign: an optional-chained append through the subscript's modify accessor would
            // allocate its coroutine frame on every call, including the common one where the key is new.
            if let index = shard.pending.index(forKey: key) {
                shard.pending.values[index].others.append(waiter)
                shard.statistics.coalesced += 1
                return .coalesced
            }
            shard.pending[key] = Pending(first: waiter)
            shard.statistics.started += 1
            return .started
        }
        if outcome == .started { start(key) }
        return outcome
    }

    /// Delivers the result to every waiter of a key and forgets the key.
    ///
    /// - Parameters:
    ///   - key: What identifies the work.
    ///   - value: The result.
    /// - Returns: The number of waiters called; 0 when no work was in flight for the key.
    @discardableResult
    public func complete(key: Key, value: Value) -> Int {
        let pending: Pending? = shard(for: key).mutex.withLock { shard in
            let pending = shard.pending.removeValue(forKey: key)
            if pending != nil { shard.statistics.completed += 1 }
            return pending
        }
        guard let pending else { return 0 }
        pending.first(value)
        for waiter in pending.others { waiter(value) }
        return 1 + pending.others.count
    }

    /// The counters, summed over the shards.
    public var statistics: Statistics {
        var total = Statistics()
        for box in shards {
            let snapshot = box.mutex.withLock { shard in
                var copy = shard.statistics
                copy.inFlight = shard.pending.count
                return copy
            }
            total.started += snapshot.started
            total.coalesced += snapshot.coalesced
            total.completed += snapshot.completed
            total.inFlight += snapshot.inFlight
        }
        return total
    }

    private func shard(for key: Key) -> ShardBox {
        let hash = UInt(bitPattern: key.hashValue)
        return shards[Int(hash % UInt(shards.count))]
    }
}
