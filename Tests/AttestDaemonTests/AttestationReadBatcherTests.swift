import AttestCore
import AttestStore
import Dispatch
import Foundation
import Synchronization
import Testing

@testable import AttestDaemon

/// Queued images are read together, across requests; each ticket gets its own image's rows; a failed read is
/// the answer of every ticket it covered; nothing is left behind.
struct AttestationReadBatcherTests {
    /// A source that counts its calls and answers each image with one row naming it, or fails.
    final class CountingSource: AttestationSource {
        let singleReads = Atomic<Int>(0)
        let batchReads = Atomic<Int>(0)
        let largestBatch = Atomic<Int>(0)
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
            largestBatch.max(images.count, ordering: .relaxed)
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

    static func images(_ count: Int, prefix: String = "app") -> [(repository: String, digest: String)] {
        (0..<count).map {
            ("registry.example.com/\(prefix)\($0)", "sha256:" + String(repeating: "\($0 % 10)", count: 64))
        }
    }

    static func expectOwnRows(
        _ result: Result<[StoredAttestation], any Error>,
        _ ticket: AttestationReadBatcher.Ticket,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            (try? result.get()) == [CountingSource.row(ticket.repository, ticket.digest)],
            "\(ticket.repository)",
            sourceLocation: sourceLocation
        )
    }

    @Test func oneReadServesEveryTicketFromAnyThread() {
        let source = CountingSource()
        let batcher = AttestationReadBatcher(source: source)
        let tickets = batcher.enqueue(Self.images(16))
        let answers = Mutex<[Int: Result<[StoredAttestation], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: tickets.count) { position in
            let rows = batcher.candidates(for: tickets[position])
            answers.withLock { $0[position] = rows }
        }
        // Usually one shared read; a job that came while it ran read its own image instead of waiting, and
        // one that came after it found its rows. Never a read per image through the batch call.
        #expect(source.batchReads.load(ordering: .relaxed) + source.singleReads.load(ordering: .relaxed) <= 16)
        #expect(source.batchReads.load(ordering: .relaxed) >= 1)
        let all = answers.withLock { $0 }
        for (position, ticket) in tickets.enumerated() { Self.expectOwnRows(all[position]!, ticket) }
        #expect(batcher.outstanding == 0)
    }

    @Test func ticketsOfDifferentRequestsShareOneRead() {
        let source = CountingSource()
        let batcher = AttestationReadBatcher(source: source)
        // Two requests (say from two connections) queue their images one after the other.
        let first = batcher.enqueue(Self.images(3, prefix: "first"))
        let second = batcher.enqueue(Self.images(4, prefix: "second"))
        for ticket in second.reversed() + first { Self.expectOwnRows(batcher.candidates(for: ticket), ticket) }
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        #expect(source.largestBatch.load(ordering: .relaxed) == 7)
        #expect(source.singleReads.load(ordering: .relaxed) == 0)
        #expect(batcher.outstanding == 0)
    }

    @Test func oneReadTakesAtMostTheMaximumBatch() {
        let source = CountingSource()
        let batcher = AttestationReadBatcher(source: source, maximumBatch: 32)
        let tickets = batcher.enqueue(Self.images(100))
        for ticket in tickets { Self.expectOwnRows(batcher.candidates(for: ticket), ticket) }
        #expect(source.batchReads.load(ordering: .relaxed) == 4)
        #expect(source.largestBatch.load(ordering: .relaxed) == 32)
        #expect(batcher.outstanding == 0)
    }

    @Test func aJobArrivingDuringTheSharedReadReadsItsOwnImageWithoutWaiting() {
        let gate = DispatchSemaphore(value: 0)
        let source = CountingSource(gate: gate)
        let batcher = AttestationReadBatcher(source: source)
        let tickets = batcher.enqueue(Self.images(16))
        let first = DispatchSemaphore(value: 0)
        let firstRows = Mutex<Result<[StoredAttestation], any Error>?>(nil)
        DispatchQueue.global().async {
            let rows = batcher.candidates(for: tickets[0])
            firstRows.withLock { $0 = rows }
            first.signal()
        }
        // Wait until the shared read has started (and is held by the gate).
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while source.batchReads.load(ordering: .relaxed) == 0, ContinuousClock.now < deadline { usleep(1000) }
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        // This call returns while the shared read is still held: it read its own image.
        Self.expectOwnRows(batcher.candidates(for: tickets[3]), tickets[3])
        #expect(source.singleReads.load(ordering: .relaxed) == 1)
        gate.signal()
        first.wait()
        Self.expectOwnRows(firstRows.withLock { $0 }!, tickets[0])
        // After the shared read, the others come from it.
        for ticket in tickets[1...] where ticket.repository != tickets[3].repository {
            Self.expectOwnRows(batcher.candidates(for: ticket), ticket)
        }
        #expect(source.singleReads.load(ordering: .relaxed) == 1)
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        #expect(batcher.outstanding == 0, "the answer read for the ticket that stopped waiting is dropped")
    }

    @Test func aFailedReadIsTheAnswerOfEveryTicketItCovered() {
        let source = CountingSource(failure: "disk I/O error")
        let batcher = AttestationReadBatcher(source: source)
        let tickets = batcher.enqueue(Self.images(16))
        for (position, ticket) in tickets.enumerated() {
            switch batcher.candidates(for: ticket) {
            case .success(let rows): Issue.record("position \(position) answered \(rows) from a failing source")
            case .failure(let error): #expect("\(error)" == "disk I/O error")
            }
        }
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        #expect(batcher.outstanding == 0)
    }

    @Test func withdrawnTicketsAreNeverRead() {
        let source = CountingSource()
        let batcher = AttestationReadBatcher(source: source)
        // A request whose jobs the pool refused, then one that runs.
        batcher.withdraw(batcher.enqueue(Self.images(5, prefix: "refused")))
        let running = batcher.enqueue(Self.images(2, prefix: "running"))
        for ticket in running { Self.expectOwnRows(batcher.candidates(for: ticket), ticket) }
        #expect(source.largestBatch.load(ordering: .relaxed) == 2)
        #expect(batcher.outstanding == 0)
    }

    @Test func theEmbeddedStoreAnswersLikeOneLookupPerImage() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("reads-\(UUID().uuidString)")
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
        let batcher = AttestationReadBatcher(source: store)
        let tickets = batcher.enqueue(images)
        for (position, image) in images.enumerated() {
            let prefetched = try batcher.candidates(for: tickets[position]).get()
            let alone = try store.attestations(repository: image.repository, digest: image.digest)
            #expect(prefetched == alone, "position \(position)")
            #expect(prefetched.count == [1, 0, 2, 0, 1, 0][position])
        }
    }
}
