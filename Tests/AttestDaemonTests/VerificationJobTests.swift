import AttestCore
import AttestCrypto
import AttestPolicy
import AttestStore
import AttestWire
import Dispatch
import Foundation
import Logging
import Synchronization
import Testing

@testable import AttestDaemon

/// The workers' verification jobs, driven through a ``RequestHandler`` over sources that are not the store.
struct VerificationJobTests {
    /// A source that refuses every read and counts the calls of each kind.
    final class UnreadableSource: AttestationSource {
        let batchedReads = Atomic<Int>(0)
        let singleReads = Atomic<Int>(0)

        func attestations(repository: String, digest: String) throws -> [StoredAttestation] {
            singleReads.add(1, ordering: .relaxed)
            throw StoreDown()
        }

        func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]] {
            batchedReads.add(1, ordering: .relaxed)
            throw StoreDown()
        }
    }

    struct StoreDown: Error, CustomStringConvertible {
        var description: String { "the disk is gone" }
    }

    /// A source that serves a fixed set of attestations and counts its batched reads and their sizes.
    final class CountingSource: AttestationSource {
        let records: [String: [StoredAttestation]]
        let reads = Mutex<[Int]>([])

        init(_ attestations: [StoredAttestation]) {
            records = Dictionary(grouping: attestations) { $0.repository + "@" + $0.digest }
        }

        func attestations(repository: String, digest: String) throws -> [StoredAttestation] {
            reads.withLock { $0.append(1) }
            return records[repository + "@" + digest] ?? []
        }

        func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]] {
            reads.withLock { $0.append(images.count) }
            return images.map { records[$0.repository + "@" + $0.digest] ?? [] }
        }
    }

    /// A handler with two workers and a verdict cache over `source`, and what it needs torn down.
    private static func handler(
        source: any AttestationSource,
        key: PrivateKey,
        directory: String
    ) throws -> (RequestHandler, WorkerPool<VerifierContext>, VerdictCache) {
        let configPath = directory + "/attestd.yaml"
        try DaemonFixture.configuration(
            key: key.publicKey,
            socketPath: directory + "/d.sock",
            storePath: directory + "/store.sqlite",
            settings: ""
        ).write(toFile: configPath, atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(path: configPath)
        let keyDeriver = VerdictCacheKeyDeriver()
        let cache = try VerdictCache(configuration: .init(capacity: 1024), keyDeriver: keyDeriver)
        let snapshot = DaemonSnapshot(
            configuration: configuration,
            source: source,
            cache: cache,
            generation: 1,
            path: configPath
        )
        let pool = WorkerPool(workerCount: 2, queueCapacity: 1024) { _ in VerifierContext() }
        let handler = RequestHandler(
            pool: pool,
            coalescer: Coalescer(),
            keyDeriver: keyDeriver,
            store: try AttestationStore(path: directory + "/store.sqlite"),
            logger: Logger(label: "verification-job-test"),
            currentSnapshot: { snapshot },
            reload: { _ in ReloadResponse(ok: false, message: "not in this test") },
            stats: { StatsResponse(counters: [], gauges: []) }
        )
        return (handler, pool, cache)
    }

    private static func check(_ handler: RequestHandler, _ images: [String]) async -> Response {
        await withCheckedContinuation { continuation in
            handler.handle(.check(CheckRequest(items: images.map { CheckItem(namespace: "prod", image: $0) }))) {
                continuation.resume(returning: $0)
            }
        }
    }

    private static func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "verification-job-" + String(UUID().uuidString.prefix(8))
        ).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func anUnreadableSourceAnswersEveryImageOfTheJobWithAnErrorThatIsNeverCached() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let source = UnreadableSource()
        let (handler, pool, cache) = try Self.handler(
            source: source,
            key: try PrivateKey.generate(for: .ecdsaP256SHA256),
            directory: directory
        )
        defer { pool.shutdown(drain: true) }
        let images = (0..<5).map { DaemonFixture.image(4000 + $0) }
        guard case .check(let answer) = await Self.check(handler, images) else {
            Issue.record("CHECK was not answered with results")
            return
        }
        #expect(answer.results.count == images.count)
        for (image, result) in zip(images, answer.results) {
            #expect(result.decision == .error, "\(image): \(result.message)")
            #expect(result.message.contains("the disk is gone"), "\(result.message)")
        }
        // Five images over two workers: two jobs, each one batched read; never one read per image.
        #expect(source.batchedReads.load(ordering: .relaxed) == 2)
        #expect(source.singleReads.load(ordering: .relaxed) == 0)
        #expect(cache.statistics.insertions == 0, "a transient failure is never cached")
    }

    @Test func eachJobReadsItsImagesOnceAndAnswersEachForItself() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey.generate(for: .ecdsaP256SHA256)
        // Even images attested, odd ones not.
        let images = (0..<9).map { DaemonFixture.image(5000 + $0) }
        let source = CountingSource(
            try images.enumerated().filter { $0.offset % 2 == 0 }.map {
                try DaemonFixture.attestation(for: $0.element, key: key)
            }
        )
        let (handler, pool, _) = try Self.handler(source: source, key: key, directory: directory)
        defer { pool.shutdown(drain: true) }
        guard case .check(let answer) = await Self.check(handler, images) else {
            Issue.record("CHECK was not answered with results")
            return
        }
        #expect(answer.results.map(\.decision) == images.indices.map { $0 % 2 == 0 ? .admitted : .denied })
        // Nine images, two workers: jobs of five and four, each read in one call.
        #expect(source.reads.withLock { $0.sorted() } == [4, 5])
    }
}
