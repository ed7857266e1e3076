import AttestEngine
import AttestWire
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Remembers, for one configuration generation, what the policy engine planned for each (namespace, image)
/// and the cache keys of its attestors, so a repeated question skips reference parsing, allowlist matching
/// and key derivation.
///
/// It also remembers the last decision made from cache hits for an image together with the cached verdicts it
/// was made from: the decision is a pure function of the plan and those verdicts, so when the cache answers
/// the same verdicts again the stored decision (and its wire form) is reused instead of rebuilding messages.
/// The cache itself is still consulted for every attestor on every request, so TTLs, evictions and key
/// rotations keep their effect; only the policy arithmetic over identical inputs is skipped.
///
/// The memo lives in a ``DaemonSnapshot``: a reload starts an empty one, so an entry can never outlive the
/// configuration it was computed under. It is bounded by entry count; when full it is emptied (a simple,
/// allocation-free bound: the working set refills it in one pass).
///
/// It is split into a few shards chosen by the calling thread, so each event loop works on its own entries:
/// reference counting on objects two cores touch at once costs a cache-line transfer per retain, and the
/// same hot images are asked on every loop (measured: about a third of the cache-hit path with one shared map).
final class PlanMemo: Sendable {
    /// Counters shared by every generation's memo, reported by STATS as `plan.memo_*`.
    final class Counters: Sendable {
        /// Questions answered from a remembered plan.
        let hits = Atomic<UInt64>(0)
        /// Questions that had to be planned.
        let misses = Atomic<UInt64>(0)
        /// Times the memo was emptied because it was full.
        let resets = Atomic<UInt64>(0)
        /// Images whose decision was reused because the cache returned the same verdicts.
        let decisionHits = Atomic<UInt64>(0)

        /// Creates zeroed counters.
        init() {}
    }

    /// A question: the namespace and the image exactly as the workload names it.
    struct Question: Hashable, Sendable {
        /// The namespace.
        var namespace: String
        /// The image.
        var image: String
    }

    /// A verdict together with its wire form, computed once.
    final class Decision: Sendable {
        /// The engine's verdict.
        let verdict: ImageVerdict
        /// Its CHECK result.
        let result: CheckResult

        /// Wraps a verdict.
        ///
        /// - Parameter verdict: the engine's verdict.
        init(_ verdict: ImageVerdict) {
            self.verdict = verdict
            self.result = RequestHandler.result(verdict)
        }
    }

    /// What was planned for one question.
    final class Entry: Sendable {
        /// The plan: a final decision, or an image waiting on attestor checks (each a single reference, so
        /// reading the plan of an entry costs one retain, not a copy of the image's policies and attestors).
        enum Plan: Sendable {
            /// Settled without cryptography.
            case decided(Decision)
            /// Needs the attestors' checks.
            case pending(Pending)
        }

        /// An image waiting on attestor checks, with its attestors' cache keys.
        final class Pending: Sendable {
            /// What the engine planned.
            let image: PendingImage
            /// `keys[i]` is the cache key of `image.attestors[i]`.
            let keys: [VerdictCache.Key]
            /// Every attestor position, `0..<keys.count`: what a request that misses them all checks, made
            /// once here rather than per request.
            let allPositions: [Int]

            /// Creates a pending plan.
            ///
            /// - Parameters:
            ///   - image: what the engine planned.
            ///   - keys: the cache key of each of its attestors, in order.
            init(image: PendingImage, keys: [VerdictCache.Key]) {
                self.image = image
                self.keys = keys
                allPositions = Array(keys.indices)
            }
        }

        /// The last decision made from cache hits, with the verdicts (in attestor order) it was made from.
        struct LastDecision: Sendable {
            /// The cached verdicts, one per attestor.
            var verdicts: [VerdictCache.Verdict?]
            /// The decision they produced.
            var decision: Decision
        }

        /// The plan.
        let plan: Plan
        private let last = Mutex<LastDecision?>(nil)

        /// Creates an entry.
        ///
        /// - Parameter plan: the plan.
        init(plan: Plan) {
            self.plan = plan
        }

        /// The decision made last time from exactly these verdicts, if any.
        ///
        /// - Parameter verdicts: the verdicts the cache returned now, in attestor order.
        /// - Returns: the remembered decision, or `nil`.
        func decision(for verdicts: [VerdictCache.Verdict?]) -> Decision? {
            last.withLock { last in
                guard let last, last.verdicts == verdicts else { return nil }
                return last.decision
            }
        }

        /// Remembers the decision made from `verdicts`.
        ///
        /// - Parameters:
        ///   - decision: the decision.
        ///   - verdicts: the verdicts it was made from.
        func remember(_ decision: Decision, for verdicts: [VerdictCache.Verdict?]) {
            last.withLock { $0 = LastDecision(verdicts: verdicts, decision: decision) }
        }
    }

    /// One thread group's entries.
    private final class Shard: Sendable {
        let entries = Mutex<[Question: Entry]>([:])
    }

    /// The most entries held at once by each shard.
    let capacity: Int
    private let counters: Counters
    private let shards: [Shard]

    /// Creates an empty memo.
    ///
    /// - Parameters:
    ///   - capacity: the most entries held at once, at least 1, divided evenly among the shards.
    ///   - shardCount: the number of per-thread shards, at least 1.
    ///   - counters: the counters to update.
    init(capacity: Int = 65_536, shardCount: Int = 4, counters: Counters = Counters()) {
        let shardCount = max(1, shardCount)
        self.capacity = max(1, capacity / shardCount)
        self.counters = counters
        self.shards = (0..<shardCount).map { _ in Shard() }
    }

    /// The calling thread's shard. Threads get consecutive slots the first time they ask (kept in a
    /// thread-specific value), so the event loops, the only threads deciding requests, land on distinct
    /// shards; more threads than shards share some, which is only slower, never wrong.
    private var currentShard: Shard {
        shards[Self.threadSlot % shards.count]
    }

    private static let threadSlotKey: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key, nil)
        precondition(status == 0, "pthread_key_create failed with \(status)")
        return key
    }()
    private static let nextThreadSlot = Atomic<Int>(0)

    /// The calling thread's slot number, assigned on first use.
    private static var threadSlot: Int {
        if let value = pthread_getspecific(threadSlotKey) {
            return Int(bitPattern: value) - 1
        }
        let slot = nextThreadSlot.wrappingAdd(1, ordering: .relaxed).oldValue & Int(Int32.max)
        pthread_setspecific(threadSlotKey, UnsafeRawPointer(bitPattern: slot + 1))
        return slot
    }

    /// The entries for a batch of questions, planning the ones not remembered, with one lock acquisition for
    /// the lookups and one for the insertions.
    ///
    /// - Parameters:
    ///   - questions: the questions, in order.
    ///   - plan: computes the entry of a question not remembered.
    /// - Returns: one entry per question, in order.
    func entries(
        for questions: [(namespace: String, image: String)],
        plan: (String, String) -> Entry
    ) -> [Entry] {
        let shard = currentShard
        var found: [Entry?] = shard.entries.withLock { map in
            questions.map { map[Question(namespace: $0.namespace, image: $0.image)] }
        }
        var fresh: [(Question, Entry)] = []
        // A question repeated within the batch is planned once.
        var planned: [Question: Entry] = [:]
        for index in found.indices where found[index] == nil {
            let question = Question(namespace: questions[index].namespace, image: questions[index].image)
            if let entry = planned[question] {
                found[index] = entry
                continue
            }
            let entry = plan(question.namespace, question.image)
            planned[question] = entry
            found[index] = entry
            fresh.append((question, entry))
        }
        counters.hits.wrappingAdd(UInt64(questions.count - fresh.count), ordering: .relaxed)
        if !fresh.isEmpty {
            counters.misses.wrappingAdd(UInt64(fresh.count), ordering: .relaxed)
            let capacity = self.capacity
            let reset: Bool = shard.entries.withLock { map in
                var reset = false
                for (question, entry) in fresh {
                    if map.count >= capacity, map[question] == nil {
                        map.removeAll(keepingCapacity: true)
                        reset = true
                    }
                    map[question] = entry
                }
                return reset
            }
            if reset { counters.resets.wrappingAdd(1, ordering: .relaxed) }
        }
        return found.map { $0! }
    }

    /// Counts a decision reused from an entry.
    func recordDecisionHit() {
        counters.decisionHits.wrappingAdd(1, ordering: .relaxed)
    }

    /// The number of entries held now.
    var count: Int {
        shards.reduce(0) { $0 + $1.entries.withLock { $0.count } }
    }
}
