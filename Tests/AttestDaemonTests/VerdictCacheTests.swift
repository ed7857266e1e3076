import Dispatch
import Synchronization
import Testing

@testable import AttestDaemon

struct VerdictCacheTests {
    private static func key(_ n: Int) -> VerdictCache.Key {
        // Spread like PRF output so shards and buckets are exercised as in production.
        var x = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 31
        return VerdictCache.Key(high: x &* 0xBF58_476D_1CE4_E5B9, low: x &* 0x94D0_49BB_1331_11EB ^ UInt64(n))
    }

    private static func makeCache(
        capacity: Int = 1000,
        positive: Duration = .seconds(600),
        negative: Duration = .seconds(30),
        shards: Int? = nil,
        clock: ManualClock
    ) throws -> VerdictCache {
        try VerdictCache(
            configuration: .init(capacity: capacity, positiveTTL: positive, negativeTTL: negative, shardCount: shards),
            clock: clock.closure
        )
    }

    // MARK: - Hits and misses

    @Test func missThenHitCountsExactly() throws {
        let clock = ManualClock()
        let cache = try Self.makeCache(clock: clock)
        let key = Self.key(1)
        #expect(cache.lookup(key) == nil)
        cache.insert(.satisfied(keyIndex: 2), for: key)
        #expect(cache.lookup(key) == .satisfied(keyIndex: 2))
        #expect(cache.lookup(key)?.keyIndex == 2)
        #expect(cache.lookup(Self.key(2)) == nil)
        let stats = cache.statistics
        #expect(stats.hits == 2)
        #expect(stats.misses == 2)
        #expect(stats.insertions == 1)
        #expect(stats.evictions == 0)
        #expect(stats.expirations == 0)
        #expect(stats.count == 1)
        #expect(stats.capacity == 1000)
    }

    @Test func verdictsRoundTripThroughTheEntry() throws {
        let cache = try Self.makeCache(clock: ManualClock())
        let verdicts: [VerdictCache.Verdict] = [
            .satisfied(keyIndex: nil), .satisfied(keyIndex: 0),
            .satisfied(keyIndex: VerdictCache.Verdict.maximumKeyIndex),
            .notSatisfied(.noAttestation), .notSatisfied(.signatureNotVerified), .notSatisfied(.payloadRejected),
            .notSatisfied(VerdictCache.ReasonCode(rawValue: 255)),
        ]
        for (index, verdict) in verdicts.enumerated() {
            cache.insert(verdict, for: Self.key(index))
        }
        for (index, verdict) in verdicts.enumerated() {
            let found = try #require(cache.lookup(Self.key(index)))
            #expect(found == verdict)
            #expect(found.isSatisfied == (verdict.reason == .satisfied))
        }
    }

    @Test func insertReplacesAnEarlierVerdict() throws {
        let cache = try Self.makeCache(clock: ManualClock())
        cache.insert(.notSatisfied(.noAttestation), for: Self.key(7))
        cache.insert(.satisfied(keyIndex: 1), for: Self.key(7))
        #expect(cache.lookup(Self.key(7)) == .satisfied(keyIndex: 1))
        #expect(cache.statistics.count == 1)
        #expect(cache.statistics.insertions == 2)
    }

    // MARK: - Lifetimes

    @Test func positiveAndNegativeVerdictsExpireOnTheirOwnLifetimes() throws {
        let clock = ManualClock()
        let cache = try Self.makeCache(positive: .seconds(300), negative: .seconds(20), clock: clock)
        let positive = Self.key(1)
        let negative = Self.key(2)
        cache.insert(.satisfied(keyIndex: 0), for: positive)
        cache.insert(.notSatisfied(.signatureNotVerified), for: negative)

        clock.advance(by: .seconds(19))
        #expect(cache.lookup(negative) == .notSatisfied(.signatureNotVerified))
        clock.advance(by: .seconds(1))
        #expect(cache.lookup(negative) == nil, "a negative verdict lives exactly negativeTTL")
        #expect(cache.lookup(positive) == .satisfied(keyIndex: 0))

        clock.advance(by: .seconds(279))
        #expect(cache.lookup(positive) == .satisfied(keyIndex: 0))
        clock.advance(by: .seconds(1))
        #expect(cache.lookup(positive) == nil)

        let stats = cache.statistics
        #expect(stats.expirations == 2)
        #expect(stats.hits == 3)
        #expect(stats.misses == 2)
        #expect(stats.count == 0)
    }

    @Test func refreshingAnEntryRestartsItsLifetime() throws {
        let clock = ManualClock()
        let cache = try Self.makeCache(positive: .seconds(10), negative: .seconds(5), clock: clock)
        cache.insert(.satisfied(keyIndex: 0), for: Self.key(1))
        clock.advance(by: .seconds(8))
        cache.insert(.satisfied(keyIndex: 0), for: Self.key(1))
        clock.advance(by: .seconds(8))
        #expect(cache.lookup(Self.key(1)) != nil)
        // A negative verdict replacing a positive one takes the shorter lifetime.
        cache.insert(.notSatisfied(.noAttestation), for: Self.key(1))
        clock.advance(by: .seconds(5))
        #expect(cache.lookup(Self.key(1)) == nil)
    }

    @Test func anExpiredLeastRecentlyUsedVictimCountsAsAnExpiration() throws {
        let clock = ManualClock()
        let cache = try Self.makeCache(
            capacity: 2,
            positive: .seconds(100),
            negative: .seconds(10),
            shards: 1,
            clock: clock
        )
        cache.insert(.notSatisfied(.noAttestation), for: Self.key(1))
        cache.insert(.satisfied(keyIndex: 0), for: Self.key(2))
        clock.advance(by: .seconds(10))
        cache.insert(.satisfied(keyIndex: 0), for: Self.key(3))
        cache.insert(.satisfied(keyIndex: 0), for: Self.key(4))
        let stats = cache.statistics
        #expect(stats.expirations == 1)
        #expect(stats.evictions == 1)
        #expect(cache.keysByRecency(shard: 0) == [Self.key(4), Self.key(3)])
    }

    // MARK: - Eviction

    @Test func evictsTheLeastRecentlyUsedFirst() throws {
        let cache = try Self.makeCache(capacity: 3, shards: 1, clock: ManualClock())
        let (a, b, c, d, e) = (Self.key(1), Self.key(2), Self.key(3), Self.key(4), Self.key(5))
        cache.insert(.satisfied(keyIndex: 0), for: a)
        cache.insert(.satisfied(keyIndex: 0), for: b)
        cache.insert(.satisfied(keyIndex: 0), for: c)
        #expect(cache.keysByRecency(shard: 0) == [c, b, a])
        #expect(cache.lookup(a) != nil)  // a becomes the most recently used
        cache.insert(.satisfied(keyIndex: 0), for: d)  // evicts b
        #expect(cache.keysByRecency(shard: 0) == [d, a, c])
        #expect(cache.lookup(b) == nil)
        cache.insert(.satisfied(keyIndex: 0), for: c)  // refresh moves c to the front
        cache.insert(.satisfied(keyIndex: 0), for: e)  // evicts a
        #expect(cache.keysByRecency(shard: 0) == [e, c, d])
        #expect(cache.lookup(a) == nil)
        #expect(cache.statistics.evictions == 2)
        #expect(cache.statistics.count == 3)
    }

    @Test(arguments: [nil, 1, 4] as [Int?])
    func capacityHoldsUnderOneHundredThousandInserts(shards: Int?) throws {
        let capacity = 1000
        let cache = try Self.makeCache(capacity: capacity, shards: shards, clock: ManualClock())
        let inserts = 100_000
        for n in 0..<inserts {
            cache.insert(
                n.isMultiple(of: 3) ? .notSatisfied(.noAttestation) : .satisfied(keyIndex: n % 5),
                for: Self.key(n)
            )
            if n.isMultiple(of: 997) { #expect(cache.statistics.count <= capacity) }
        }
        let stats = cache.statistics
        #expect(stats.count <= capacity)
        #expect(stats.evictions == UInt64(inserts - stats.count))
        #expect(stats.capacity == capacity)
        // The most recent inserts of each shard survive; every survivor answers its own verdict.
        var found = 0
        for n in (inserts - 5000)..<inserts {
            if let verdict = cache.lookup(Self.key(n)) {
                found += 1
                #expect(verdict == (n.isMultiple(of: 3) ? .notSatisfied(.noAttestation) : .satisfied(keyIndex: n % 5)))
            }
        }
        #expect(found == stats.count)
    }

    @Test func removeValueAndRemoveAllForgetEntries() throws {
        let cache = try Self.makeCache(capacity: 64, shards: 1, clock: ManualClock())
        for n in 0..<64 { cache.insert(.satisfied(keyIndex: 0), for: Self.key(n)) }
        #expect(cache.removeValue(for: Self.key(5)))
        #expect(!cache.removeValue(for: Self.key(5)))
        #expect(cache.lookup(Self.key(5)) == nil)
        #expect(cache.lookup(Self.key(6)) != nil)
        #expect(cache.statistics.count == 63)
        cache.removeAll()
        #expect(cache.statistics.count == 0)
        for n in 0..<64 { #expect(cache.lookup(Self.key(n)) == nil) }
        // The cache is fully usable afterwards, slots freed by removal included.
        for n in 100..<200 { cache.insert(.satisfied(keyIndex: 1), for: Self.key(n)) }
        #expect(cache.statistics.count <= 64)
        #expect(cache.lookup(Self.key(199)) == .satisfied(keyIndex: 1))
    }

    @Test func tableStaysConsistentThroughChurn() throws {
        // Interleaved inserts, removals and expiries exercise backward-shift deletion on long probe runs.
        let clock = ManualClock()
        let cache = try Self.makeCache(
            capacity: 257,
            positive: .seconds(50),
            negative: .seconds(3),
            shards: 1,
            clock: clock
        )
        var model: [Int: VerdictCache.Verdict] = [:]
        var generator = SplitMix(seed: 42)
        for step in 0..<50_000 {
            let n = Int(generator.next() % 400)
            switch generator.next() % 4 {
            case 0:
                let verdict: VerdictCache.Verdict = .satisfied(keyIndex: step % 7)
                cache.insert(verdict, for: Self.key(n))
                model[n] = verdict
            case 1:
                _ = cache.removeValue(for: Self.key(n))
                model[n] = nil
            default:
                if let verdict = cache.lookup(Self.key(n)) {
                    #expect(model[n] == verdict, "entry \(n) answered a verdict it was never given")
                }
            }
        }
        #expect(cache.statistics.count <= 257)
    }

    // MARK: - Keys

    @Test func aRotatedKeySetNeverAnswersFromTheOldEntry() throws {
        let cache = try Self.makeCache(clock: ManualClock())
        let before = cache.key(
            repository: "registry.example/team/app",
            digest: "sha256:" + String(repeating: "ab", count: 32),
            attestor: "build-attestor",
            keySetFingerprint: "sha256:1111"
        )
        cache.insert(.satisfied(keyIndex: 0), for: before)
        // The configuration reloads with the attestor's key rotated: its key-set fingerprint changes.
        let after = cache.key(
            repository: "registry.example/team/app",
            digest: "sha256:" + String(repeating: "ab", count: 32),
            attestor: "build-attestor",
            keySetFingerprint: "sha256:2222"
        )
        #expect(before != after)
        #expect(cache.lookup(after) == nil)
        #expect(cache.lookup(before) == .satisfied(keyIndex: 0))
    }

    @Test func everyFieldAndItsBoundaryChangesTheKey() {
        let deriver = VerdictCacheKeyDeriver(secret: (1, 2, 3, 4))
        let digest = "sha256:" + String(repeating: "0", count: 64)
        let base = deriver.key(repository: "r/a", digest: digest, attestor: "att", keySetFingerprint: "f")
        #expect(base == deriver.key(repository: "r/a", digest: digest, attestor: "att", keySetFingerprint: "f"))
        let variants = [
            deriver.key(repository: "r/b", digest: digest, attestor: "att", keySetFingerprint: "f"),
            deriver.key(
                repository: "r/a",
                digest: "sha256:" + String(repeating: "1", count: 64),
                attestor: "att",
                keySetFingerprint: "f"
            ),
            deriver.key(repository: "r/a", digest: digest, attestor: "atu", keySetFingerprint: "f"),
            deriver.key(repository: "r/a", digest: digest, attestor: "att", keySetFingerprint: "g"),
            // Moving bytes across a field boundary must not give the same encoding.
            deriver.key(repository: "r/", digest: "a" + digest, attestor: "att", keySetFingerprint: "f"),
            deriver.key(repository: "r/a", digest: digest, attestor: "at", keySetFingerprint: "tf"),
            deriver.key(repository: "", digest: "", attestor: "", keySetFingerprint: ""),
        ]
        #expect(Set(variants + [base]).count == variants.count + 1)
        // Another secret (another process) gives unrelated keys.
        let other = VerdictCacheKeyDeriver(secret: (5, 6, 7, 8))
        #expect(other.key(repository: "r/a", digest: digest, attestor: "att", keySetFingerprint: "f") != base)
    }

    @Test func keysOfLargeAndNonASCIIFieldsAreStable() {
        let deriver = VerdictCacheKeyDeriver(secret: (9, 9, 9, 9))
        let big = String(repeating: "x", count: 1 << 20)
        let first = deriver.key(repository: big, digest: "d", attestor: "证明者", keySetFingerprint: big)
        let second = deriver.key(repository: big, digest: "d", attestor: "证明者", keySetFingerprint: big)
        #expect(first == second)
        #expect(first != deriver.key(repository: big, digest: "d", attestor: "证明", keySetFingerprint: big))
        #expect(first.description.count == 32)
    }

    @Test func sipHashMatchesTheReferenceVectors() {
        // From the SipHash reference implementation (vectors.h): key 00…0f, messages 00, 00 01, …
        let k0 = UInt64(littleEndian: 0x0706_0504_0302_0100)
        let k1 = UInt64(littleEndian: 0x0f0e_0d0c_0b0a_0908)
        let expected: [Int: UInt64] = [
            0: 0x726f_db47_dd0e_0e31,
            1: 0x74f8_39c5_93dc_67fd,
            7: 0xab02_00f5_8b01_d137,
            8: 0x93f5_f579_9a93_2462,
            9: 0x9e00_82df_0ba9_e4b0,
            15: 0xa129_ca61_49be_45e5,
        ]
        for (length, tag) in expected {
            let message = (0..<length).map { UInt8($0) }
            let hash = message.withUnsafeBytes { SipHash24.hash($0, k0: k0, k1: k1) }
            #expect(hash == tag, "SipHash-2-4 of \(length) bytes")
        }
    }

    // MARK: - Configuration

    @Test(arguments: [
        VerdictCache.Configuration(capacity: 0),
        VerdictCache.Configuration(capacity: Int(Int32.max) + 1),
        VerdictCache.Configuration(positiveTTL: .zero),
        VerdictCache.Configuration(negativeTTL: .seconds(-1)),
        VerdictCache.Configuration(positiveTTL: .seconds(10), negativeTTL: .seconds(11)),
        VerdictCache.Configuration(capacity: 100, shardCount: 3),
        VerdictCache.Configuration(capacity: 100, shardCount: 0),
        VerdictCache.Configuration(capacity: 4, shardCount: 8),
        VerdictCache.Configuration(capacity: 10_000, shardCount: 2048),
    ])
    func refusesAnInvalidConfiguration(configuration: VerdictCache.Configuration) {
        #expect {
            _ = try VerdictCache(configuration: configuration)
        } throws: { error in
            guard let error = error as? VerdictCacheError else { return false }
            return error.code == .invalidConfiguration && error.reason.hasPrefix("cache ")
        }
    }

    @Test func defaultShardCountKeepsShardsReasonablyLarge() throws {
        #expect(try VerdictCache(configuration: .init(capacity: 10)).shardCount == 1)
        #expect(try VerdictCache(configuration: .init(capacity: 4096)).shardCount == 16)
        #expect(try VerdictCache(configuration: .init(capacity: 1_000_000)).shardCount == 32)
        let cache = try VerdictCache(configuration: .init(capacity: 100_000))
        #expect(cache.approximateBytesPerEntry > 40 && cache.approximateBytesPerEntry <= 72)
    }

    // MARK: - Concurrency

    @Test func concurrentInsertsAndLookupsLoseNothing() throws {
        let cache = try VerdictCache(configuration: .init(capacity: 100_000, shardCount: 8))
        let threads = 8
        let perThread = 5000
        let lookups = Atomic<UInt64>(0)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in 0..<perThread {
                let n = thread * perThread + i
                cache.insert(.satisfied(keyIndex: thread), for: Self.key(n))
                // Look up a key another thread may or may not have written yet: either answer is fine,
                // a wrong one is not.
                let other = ((thread + 1) % threads) * perThread + i
                if let verdict = cache.lookup(Self.key(other)) {
                    #expect(verdict == .satisfied(keyIndex: (thread + 1) % threads))
                }
                lookups.wrappingAdd(1, ordering: .relaxed)
            }
        }
        for n in 0..<(threads * perThread) {
            #expect(cache.lookup(Self.key(n)) == .satisfied(keyIndex: n / perThread))
        }
        let stats = cache.statistics
        #expect(stats.count == threads * perThread)
        #expect(stats.insertions == UInt64(threads * perThread))
        #expect(stats.hits + stats.misses == lookups.load(ordering: .relaxed) + UInt64(threads * perThread))
        #expect(stats.evictions == 0)
    }
}

/// A small deterministic generator for randomized tests.
struct SplitMix: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
