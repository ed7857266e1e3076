import AttestCore
import AttestStore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AttestDaemon

/// One store read serves every job of a request; each job gets its own image's rows; a failure reaches all.
struct AttestationPrefetchTests {
    /// A source that counts its calls and answers each image with one row naming it, or fails.
    final class CountingSource: AttestationSource {
        let singleReads = Atomic<Int>(0)
        let batchReads = Atomic<Int>(0)
        let failure: String?
        /// When set, the batch read waits for it before answering.
        let gate: DispatchSemaphore?

        init(failure: String? = nil, gate: DispatchSemaphore? = nil) {
            self.failure = failure
            self.gate = gate
        }

        struct Failure: Error, CustomStringConvertible {
            var description: String
        }

        func attestations(repository: String, digest: String) throws -> [StoredAttestation] {
            singleReads.add(1, ordering: .relaxed)
            if let failure { throw Failure(description: failure) }
            return [Self.row(repository, digest)]
        }

        func attestations(images: [(repository: String, digest: String)]) throws -> [[StoredAttestation]] {
            batchReads.add(1, ordering: .relaxed)
            gate?.wait()
            if let failure { throw Failure(description: failure) }
            return images.map { [Self.row($0.repository, $0.digest)] }
        }

        static func row(_ repository: String, _ digest: String) -> StoredAttestation {
            StoredAttestation(
                repository: repository,
                digest: digest,
                payload: Array(repository.utf8),
                signature: Array(digest.utf8),
                source: "test"
            )
        }
    }

    static let images = (0..<16).map {
        ("registry.example.com/app\($0)", "sha256:" + String(repeating: "\($0 % 10)", count: 64))
    }

    @Test func oneReadServesEveryPositionFromAnyThread() {
        let source = CountingSource()
        let prefetch = AttestationPrefetch(source: source, images: Self.images)
        let answers = Mutex<[Int: [StoredAttestation]]>([:])
        DispatchQueue.concurrentPerform(iterations: Self.images.count) { position in
            let rows = try? prefetch.candidates(at: position).get()
            answers.withLock { $0[position] = rows }
        }
        // One shared read; a job that came while it ran read its own image instead of waiting.
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        #expect(source.singleReads.load(ordering: .relaxed) < Self.images.count)
        let all = answers.withLock { $0 }
        for (position, image) in Self.images.enumerated() {
            #expect(all[position] == [CountingSource.row(image.0, image.1)], "position \(position)")
        }
    }

    @Test func aJobArrivingDuringTheSharedReadReadsItsOwnImageWithoutWaiting() {
        let gate = DispatchSemaphore(value: 0)
        let source = CountingSource(gate: gate)
        let prefetch = AttestationPrefetch(source: source, images: Self.images)
        let first = DispatchSemaphore(value: 0)
        let firstRows = Mutex<[StoredAttestation]?>(nil)
        DispatchQueue.global().async {
            let rows = try? prefetch.candidates(at: 0).get()
            firstRows.withLock { $0 = rows }
            first.signal()
        }
        // Wait until the shared read has started (and is held by the gate).
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while source.batchReads.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline { usleep(1000) }
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        // This call returns while the shared read is still held: it read its own image.
        let own = try? prefetch.candidates(at: 3).get()
        #expect(own == [CountingSource.row(Self.images[3].0, Self.images[3].1)])
        #expect(source.singleReads.load(ordering: .relaxed) == 1)
        gate.signal()
        first.wait()
        #expect(firstRows.withLock { $0 } == [CountingSource.row(Self.images[0].0, Self.images[0].1)])
        // After the shared read, positions come from it.
        let later = try? prefetch.candidates(at: 5).get()
        #expect(later == [CountingSource.row(Self.images[5].0, Self.images[5].1)])
        #expect(source.singleReads.load(ordering: .relaxed) == 1)
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
    }

    @Test func aFailedReadIsEveryImagesFailureAndIsNotRetried() {
        let source = CountingSource(failure: "disk I/O error")
        let prefetch = AttestationPrefetch(source: source, images: Self.images)
        for position in Self.images.indices {
            switch prefetch.candidates(at: position) {
            case .success(let rows): Issue.record("position \(position) answered \(rows) from a failing source")
            case .failure(let error): #expect("\(error)" == "disk I/O error")
            }
        }
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
    }

    @Test func theEmbeddedStoreAnswersLikeOneLookupPerImage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("prefetch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try AttestationStore(path: directory.appendingPathComponent("store.sqlite").path)
        let digests = (0..<6).map {
            "sha256:" + String(repeating: String("abcdef".randomElement()!), count: 63) + "\($0)"
        }
        // Images 0, 2 and 4 have one attestation, image 2 a second one; 1, 3 and 5 none.
        var rows: [StoredAttestation] = []
        for index in stride(from: 0, to: digests.count, by: 2) {
            rows.append(
                StoredAttestation(
                    repository: "registry.example.com/app",
                    digest: digests[index],
                    payload: Array("payload \(index)".utf8),
                    signature: Array("signature \(index)".utf8),
                    source: "test"
                )
            )
        }
        rows.append(
            StoredAttestation(
                repository: "registry.example.com/app",
                digest: digests[2],
                payload: Array("payload 2b".utf8),
                signature: Array("signature 2b".utf8),
                source: "test"
            )
        )
        try store.put(rows)
        let images = digests.map { (repository: "registry.example.com/app", digest: $0) }
        let prefetch = AttestationPrefetch(source: store, images: images)
        for (position, image) in images.enumerated() {
            let prefetched = try prefetch.candidates(at: position).get()
            let alone = try store.attestations(repository: image.repository, digest: image.digest)
            #expect(prefetched == alone, "position \(position)")
            #expect(prefetched.count == [1, 0, 2, 0, 1, 0][position])
        }
    }
}
