import AttestCore
import Foundation
import Testing

@testable import AttestStore

/// The store's in-memory copy of recent lookups: answered from memory, never staler than the file, bounded.
struct StoreRecordCacheTests {
    private static let limits = AttestationStore.RecordCacheLimits(maxEntries: 1024, maxBytes: 1 << 20)

    @Test func repeatedLookupsAreAnsweredFromMemoryWithTheSameRecords() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"), recordCache: Self.limits)
        let first = testAttestation(signature: [1], keyID: "k")
        let second = testAttestation(digest: testDigest(2), signature: [2])
        try store.put([first, second])
        let images = [
            (first.repository, first.digest), (second.repository, second.digest), (first.repository, testDigest(3)),
        ]

        let cold = try store.attestations(images: images)
        let warm = try store.attestations(images: images)
        let single = try store.attestations(repository: first.repository, digest: first.digest)

        #expect(cold == [[first], [second], []])
        #expect(warm == cold)
        #expect(single == [first])
        let statistics = try #require(store.recordCacheStatistics)
        // The first read of a new connection empties the cache and keeps nothing: it cannot know what changed.
        // The second read fills it; the third lookup is the first answered from memory.
        #expect(statistics.misses == 6)
        #expect(statistics.hits == 1)
        #expect(statistics.entries == 3)
        #expect(statistics.invalidations == 1)
        #expect(try store.attestations(images: images) == cold)
        #expect(store.recordCacheStatistics?.hits == 4)
    }

    @Test func aStoreWithoutLimitsKeepsNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let plain = try AttestationStore(path: directory.file("store.db"))
        let zero = try AttestationStore(
            path: directory.file("store.db"),
            recordCache: .init(maxEntries: 0, maxBytes: 1 << 20)
        )
        #expect(plain.recordCacheStatistics == nil)
        #expect(zero.recordCacheStatistics == nil)
        #expect(!plain.reusesRecordArrays)
        #expect(!zero.reusesRecordArrays)
    }

    @Test func aCachedImageComesBackAsTheSameArrays() throws {
        // What reusesRecordArrays promises, and what the payload parse memo relies on.
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(path: directory.file("store.db"), recordCache: Self.limits)
        #expect(store.reusesRecordArrays)
        let attestation = testAttestation(signature: [1])
        try store.put([attestation])
        func payloadAddress() throws -> UnsafeRawPointer? {
            let records = try store.attestations(repository: attestation.repository, digest: attestation.digest)
            return records.first?.payload.withUnsafeBytes { $0.baseAddress }
        }
        _ = try payloadAddress()  // a connection's first read keeps nothing
        let kept = try store.attestations(repository: attestation.repository, digest: attestation.digest)
        let address = kept.first?.payload.withUnsafeBytes { $0.baseAddress }
        #expect(address != nil)
        #expect(try payloadAddress() == address)
        #expect(try payloadAddress() == address)
    }

    @Test func anAttestationPutThroughAnotherConnectionIsSeenAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let reader = try AttestationStore(path: path, recordCache: Self.limits)
        let writer = try AttestationStore(path: path)
        let attestation = testAttestation()
        // Warm the cache with the image's empty answer (twice: the first read of a connection keeps nothing).
        for _ in 0..<3 {
            #expect(try reader.attestations(repository: attestation.repository, digest: attestation.digest).isEmpty)
        }
        #expect(reader.recordCacheStatistics?.hits == 1)

        try writer.put([attestation])

        #expect(
            try reader.attestations(repository: attestation.repository, digest: attestation.digest) == [attestation]
        )
        #expect(reader.recordCacheStatistics?.invalidations == 2)
    }

    @Test func aRemovedAttestationIsNeverAnsweredFromMemory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let reader = try AttestationStore(path: path, recordCache: Self.limits)
        let writer = try AttestationStore(path: path)
        let kept = testAttestation(digest: testDigest(1))
        let removed = testAttestation(digest: testDigest(2), signature: [2])
        try writer.put([kept, removed])
        let images = [(kept.repository, kept.digest), (removed.repository, removed.digest)]
        for _ in 0..<3 { #expect(try reader.attestations(images: images) == [[kept], [removed]]) }

        #expect(try writer.remove(repository: removed.repository, digest: removed.digest) == 1)

        #expect(try reader.attestations(images: images) == [[kept], []])
        #expect(try reader.attestations(images: images) == [[kept], []])
    }

    @Test(.enabled(if: Python.isAvailable, "needs python3 to act as the other process"))
    func aChangeByAnotherProcessIsSeenAtOnce() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("store.db")
        let store = try AttestationStore(path: path, recordCache: Self.limits)
        let attestation = testAttestation()
        try store.put([attestation])
        for _ in 0..<3 {
            #expect(
                try store.attestations(repository: attestation.repository, digest: attestation.digest) == [attestation]
            )
        }

        _ = try Python.run(
            """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=10)
            db.execute("UPDATE attestation SET signature = x'0909' WHERE digest = ?", (sys.argv[2],))
            db.commit()
            """,
            [path, attestation.digest]
        )

        var changed = attestation
        changed.signature = [9, 9]
        #expect(try store.attestations(repository: attestation.repository, digest: attestation.digest) == [changed])
    }

    @Test func theCacheStaysWithinItsEntryLimit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(
            path: directory.file("store.db"),
            recordCache: .init(maxEntries: 8, maxBytes: 1 << 20)
        )
        let attestations = (1...40).map { testAttestation(digest: testDigest($0), signature: [UInt8($0)]) }
        try store.put(attestations)
        for _ in 0..<2 {
            for attestation in attestations {
                let found = try store.attestations(repository: attestation.repository, digest: attestation.digest)
                #expect(found == [attestation])
                #expect((store.recordCacheStatistics?.entries ?? .max) <= 8)
            }
        }
        let statistics = try #require(store.recordCacheStatistics)
        #expect(statistics.evictions > 0)
        #expect(statistics.hits == 0)  // 40 images cycled through 8 places: nothing survives a cycle
    }

    @Test func theCacheStaysWithinItsByteLimitAndSkipsWhatCannotFit() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try AttestationStore(
            path: directory.file("store.db"),
            recordCache: .init(maxEntries: 1000, maxBytes: 16 * 1024)
        )
        let small = (1...20).map {
            testAttestation(
                digest: testDigest($0),
                payload: String(repeating: "a", count: 1000),
                signature: [UInt8($0)]
            )
        }
        let large = testAttestation(
            digest: testDigest(99),
            payload: String(repeating: "b", count: 9000),
            signature: [1]
        )
        try store.put(small + [large])
        for attestation in small + [large] + small + [large] {
            let found = try store.attestations(repository: attestation.repository, digest: attestation.digest)
            #expect(found == [attestation])
            #expect((store.recordCacheStatistics?.bytes ?? .max) <= 16 * 1024)
        }
        // The large image is more than half the budget: it is read from the file every time.
        let before = try #require(store.recordCacheStatistics)
        _ = try store.attestations(repository: large.repository, digest: large.digest)
        _ = try store.attestations(repository: large.repository, digest: large.digest)
        #expect(store.recordCacheStatistics?.misses == before.misses + 2)
    }

    @Test func aReadThatBeganBeforeAnInvalidationKeepsNothing() {
        let cache = StoreRecordCache(limits: Self.limits)
        let key = StoreRecordCache.Key(repository: "registry.example.com/team/app", digest: testDigest(1))
        let generation = cache.generation

        cache.invalidate()  // another connection saw a commit while this read ran
        cache.insert([(key: key, records: [testAttestation()])], readIn: generation)

        #expect(cache.records(for: [key]) == [nil])
        #expect(cache.statistics.staleReads == 1)
        cache.insert([(key: key, records: [testAttestation()])], readIn: cache.generation)
        #expect(cache.records(for: [key]) == [[testAttestation()]])
    }

    @Test func anEntryFoundInTheOldHalfSurvivesTheNextTurn() {
        let cache = StoreRecordCache(limits: .init(maxEntries: 4, maxBytes: 1 << 20))
        let keys = (1...6).map { StoreRecordCache.Key(repository: "r", digest: testDigest($0)) }
        for key in keys[0..<2] { cache.insert([(key: key, records: [])], readIn: cache.generation) }
        // keys 0 and 1 fill the young half; key 2 turns them old.
        cache.insert([(key: keys[2], records: [])], readIn: cache.generation)
        #expect(cache.records(for: [keys[0]]) == [[]])  // found old: moved back to the young half
        for key in keys[3..<4] { cache.insert([(key: key, records: [])], readIn: cache.generation) }

        let found = cache.records(for: keys)
        #expect(found[0] != nil)
        #expect(found[1] == nil)
        #expect(cache.statistics.entries <= 4)
    }
}
