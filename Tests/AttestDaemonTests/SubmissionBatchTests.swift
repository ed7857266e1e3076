import AttestDaemon
import AttestStore
import AttestWire
import Testing

/// Cache misses of the requests read in one event-loop tick are queued to the workers together; each request
/// still gets exactly its own answer, and one that does not fit is refused alone.
@Suite(.serialized)
struct SubmissionBatchTests {
    /// Encodes single-image CHECK requests into one write.
    private static func frames(_ images: [String], firstID: UInt64) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for (offset, image) in images.enumerated() {
            try FrameEncoder.append(
                .check(CheckRequest(items: [CheckItem(namespace: "prod", image: image)])),
                requestID: firstID + UInt64(offset),
                to: &bytes
            )
        }
        return bytes
    }

    @Test func singleImageRequestsArrivingTogetherAreQueuedAsOneBatch() async throws {
        let fixture = try await DaemonFixture.start()
        let signed = (0..<4).map { DaemonFixture.image(2000 + $0) }
        try AttestationStore(path: fixture.storePath).put(
            try signed.map { try DaemonFixture.attestation(for: $0, key: fixture.key) }
        )
        let unsigned = (0..<4).map { DaemonFixture.unsignedImage(2100 + $0) }
        // Interleaved, eight requests in one write (about 1 KiB): one read, one tick, one flush.
        let images = zip(signed, unsigned).flatMap { [$0, $1] }
        let client = try fixture.connect()
        let bytes = try Self.frames(images, firstID: 10)
        // Under the 2 KiB a connection's first read takes, so the daemon reads them all at once.
        #expect(bytes.count < 2048)
        try client.sendRaw(bytes)
        var answers: [UInt64: Response] = [:]
        for _ in images.indices {
            let (id, response) = try #require(try client.receive(), "the connection was closed")
            answers[id] = response
        }
        for (offset, image) in images.enumerated() {
            guard case .check(let check) = answers[10 + UInt64(offset)] else {
                Issue.record(
                    "request \(10 + offset) (\(image)) answered with \(String(describing: answers[10 + UInt64(offset)]))"
                )
                continue
            }
            #expect(check.results.map(\.decision) == [offset % 2 == 0 ? .admitted : .denied], "\(image)")
        }
        let stats = try client.stats(id: 100)
        #expect(DaemonFixture.counter(stats, "pool.queued") == 8)
        #expect(DaemonFixture.counter(stats, "pool.batches") == 1, "eight requests, one submission")
        await fixture.stop()
    }

    @Test func aRequestThatDoesNotFitIsRefusedAloneAndTheOthersAreAnswered() async throws {
        let fixture = try await DaemonFixture.start { options in
            options.workerCount = 1
            options.queueCapacity = 4
        }
        // Five images in one request can never fit a queue of four; the single image after it can.
        let tooMany = (0..<5).map { DaemonFixture.image(3000 + $0) }
        let alone = DaemonFixture.image(3100)
        try AttestationStore(path: fixture.storePath).put(
            try (tooMany + [alone]).map { try DaemonFixture.attestation(for: $0, key: fixture.key) }
        )
        let client = try fixture.connect()
        var bytes: [UInt8] = []
        try FrameEncoder.append(
            .check(CheckRequest(items: tooMany.map { CheckItem(namespace: "prod", image: $0) })),
            requestID: 1,
            to: &bytes
        )
        bytes += try Self.frames([alone], firstID: 2)
        try client.sendRaw(bytes)
        var answers: [UInt64: Response] = [:]
        for _ in 0..<2 {
            let (id, response) = try #require(try client.receive(), "the connection was closed")
            answers[id] = response
        }
        guard case .error(let refusal) = answers[1] else {
            Issue.record("the five-image request was answered with \(String(describing: answers[1]))")
            return
        }
        #expect(refusal.status == .busy)
        #expect(refusal.message.contains("refused 5 check(s)"), "\(refusal.message)")
        guard case .check(let check) = answers[2] else {
            Issue.record("the single image was answered with \(String(describing: answers[2]))")
            return
        }
        #expect(check.results.map(\.decision) == [.admitted])
        await fixture.stop()
    }
}
