import AttestDaemon
import AttestStore
import AttestWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Back-pressure: a full worker queue and a connection over its in-flight limit are answered BUSY, the
/// connection is kept, and everything else is answered correctly.
@Suite(.serialized)
struct DaemonBackPressureTests {
    private func status(_ response: Response) -> WireStatus? {
        if case .error(let error) = response { return error.status }
        return nil
    }

    @Test func fullWorkerQueueAnswersBusyAndKeepsTheConnection() async throws {
        let fixture = try await DaemonFixture.start { options in
            options.workerCount = 1
            options.queueCapacity = 2
        }
        // Five attested images that miss the cache: five signatures to verify, five jobs at once, more than
        // the queue holds, so the batch is refused whole.
        let attested = (0..<5).map { DaemonFixture.image(1000 + $0) }
        try AttestationStore(path: fixture.storePath).put(
            try attested.map { try DaemonFixture.attestation(for: $0, key: fixture.key) }
        )
        let client = try fixture.connect()
        let refused = Request.check(CheckRequest(items: attested.map { CheckItem(namespace: "prod", image: $0) }))
        let refusal = try client.roundTrip(refused, id: 1)
        #expect(status(refusal) == .busy, "\(refusal)")
        if case .error(let error) = refusal { #expect(error.requestOpcode == .check) }
        #expect(try client.roundTrip(.ping(PingRequest(data: [4])), id: 2) == .ping(PingResponse(data: [4])))
        let afterRefusal = try client.stats(id: 3)
        #expect(DaemonFixture.counter(afterRefusal, "pool.rejected") == 5)
        #expect(DaemonFixture.counter(afterRefusal, "errors.busy") == 1)
        #expect(DaemonFixture.counter(afterRefusal, "cache.insertions") == 0, "a refusal is never cached")

        // A flood of single-image misses: each answered once, BUSY or its correct decision.
        let flood = 120
        var bytes: [UInt8] = []
        for index in 0..<flood {
            let image = index % 4 == 0 ? DaemonFixture.signedImage : DaemonFixture.image(index)
            try FrameEncoder.append(
                .check(CheckRequest(items: [CheckItem(namespace: "prod", image: image)])),
                requestID: UInt64(100 + index),
                to: &bytes
            )
        }
        try client.sendRaw(bytes)
        var answered: Set<UInt64> = []
        var busy: [Int] = []
        for _ in 0..<flood {
            let (id, response) = try #require(try client.receive(), "the flooded connection was closed")
            #expect(answered.insert(id).inserted, "one answer per request id")
            let index = Int(id) - 100
            switch response {
            case .check(let check):
                let expected: CheckDecision = index % 4 == 0 ? .admitted : .denied
                #expect(check.results.map(\.decision) == [expected], "request \(id)")
            case .error(let error) where error.status == .busy:
                busy.append(index)
            default:
                Issue.record("request \(id) answered with \(response)")
            }
        }
        #expect(answered == Set((0..<UInt64(flood)).map { $0 + 100 }))
        let afterFlood = try client.stats(id: 4)
        #expect(DaemonFixture.counter(afterFlood, "errors.busy") == 1 + UInt64(busy.count))
        #expect(DaemonFixture.counter(afterFlood, "pool.rejected") >= 5 + UInt64(busy.count))
        // Nothing is left in flight but the STATS request being answered.
        #expect(DaemonFixture.gauge(afterFlood, "requests.in_flight") == 1)
        // Whatever was refused is asked again one at a time and answered: nothing stays stuck in flight.
        for (offset, image) in attested.enumerated() {
            let retried = try client.check([("prod", image)], id: UInt64(900 + offset))
            #expect(retried.map(\.decision) == [.admitted], "the refused batch's \(image), asked again alone")
        }
        for index in busy {
            let image = index % 4 == 0 ? DaemonFixture.signedImage : DaemonFixture.image(index)
            let results = try client.check([("prod", image)], id: UInt64(1000 + index))
            #expect(results.map(\.decision) == [index % 4 == 0 ? .admitted : .denied], "retry of \(index)")
        }
        #expect(DaemonFixture.gauge(try client.stats(id: 5), "coalescer.in_flight") == 0)
        await fixture.stop()
    }

    @Test func requestOverTheInFlightLimitIsBusyAndTheConnectionKept() async throws {
        let fixture = try await DaemonFixture.start { options in
            options.maxInFlightPerConnection = 2
        }
        let gate = try ReloadGate(path: fixture.directory + "/held.yaml")
        let valid = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        defer {
            gate.release(with: valid, timeout: .milliseconds(10))
            gate.release(with: valid, timeout: .milliseconds(10))
        }
        let client = try fixture.connect()
        let hello = HelloRequest(
            minVersion: 1,
            maxVersion: 1,
            maxFrameSize: 1 << 20,
            maxDecompressedSize: 1 << 20,
            features: [],
            clientName: "test",
            extensions: []
        )
        guard case .hello(let answer) = try client.roundTrip(.hello(hello), id: 1) else {
            Issue.record("HELLO was not answered with HELLO")
            return
        }
        #expect(answer.limits.maxInFlight == 2)
        // Two RELOADs of the pipe stay in flight until the test writes it; the third request is one too many.
        var bytes: [UInt8] = []
        try FrameEncoder.append(.reload(ReloadRequest(configPath: gate.path)), requestID: 2, to: &bytes)
        try FrameEncoder.append(.reload(ReloadRequest(configPath: gate.path)), requestID: 3, to: &bytes)
        try FrameEncoder.append(.ping(PingRequest(data: [9])), requestID: 4, to: &bytes)
        try client.sendRaw(bytes)
        let refusal = try #require(try client.receive())
        #expect(refusal.id == 4)
        #expect(status(refusal.response) == .busy, "\(refusal.response)")
        // Another connection is not limited by this one's requests.
        let other = try fixture.connect()
        #expect(try other.roundTrip(.ping(PingRequest(data: [1])), id: 1) == .ping(PingResponse(data: [1])))
        // The two RELOADs, and the STATS request being answered.
        #expect(DaemonFixture.gauge(try other.stats(id: 2), "requests.in_flight") == 3)
        var reloads: Set<UInt64> = []
        for _ in 0..<2 {
            // One release per answer: the next RELOAD opens the pipe only after the previous one closed it.
            #expect(gate.release(with: valid), "a RELOAD never opened the pipe")
            let (id, response) = try #require(try client.receive())
            guard case .reload(let reload) = response else {
                Issue.record("request \(id) answered with \(response)")
                continue
            }
            #expect(reload.ok, "\(reload.message)")
            reloads.insert(id)
        }
        #expect(reloads == [2, 3])
        // The connection was kept and has room again.
        #expect(try client.roundTrip(.ping(PingRequest(data: [5])), id: 5) == .ping(PingResponse(data: [5])))
        #expect(fixture.daemon.configurationGeneration == 3)
        #expect(fixture.daemon.statistics.errors(.busy) == 1)
        await fixture.stop()
    }
}
