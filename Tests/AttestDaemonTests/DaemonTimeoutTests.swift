import AttestDaemon
import AttestWire
import Dispatch
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Idle and slow-reader timeouts over real sockets: silent or non-reading peers are closed without a frame
/// (PROTOCOL.md §6); busy, reading and waiting peers are not; other connections carry on meanwhile.
@Suite(.serialized)
struct DaemonTimeoutTests {
    @Test func idleConnectionIsClosedAndAPingingOneIsNot() async throws {
        let fixture = try await DaemonFixture.start(settings: "  limits:\n    idleTimeout: 2s")
        let silent = try fixture.connect()
        let pinger = try fixture.connect()
        // Ping well inside the idle timeout for longer than the timeout itself.
        let start = ContinuousClock.now
        var id: UInt64 = 0
        while ContinuousClock.now - start < .milliseconds(3500) {
            id += 1
            #expect(
                try pinger.roundTrip(.ping(PingRequest(data: [UInt8(id & 0xff)])), id: id)
                    == .ping(PingResponse(data: [UInt8(id & 0xff)]))
            )
            usleep(250_000)
        }
        // The silent one was closed without any frame.
        let frames = try #require(silent.framesUntilClosed(timeout: .seconds(15)), "the idle connection stayed open")
        #expect(frames.isEmpty, "an idle connection is closed without a frame")
        let stats = try pinger.stats(id: id + 1)
        #expect(DaemonFixture.counter(stats, "connections.timed_out") == 1)
        #expect(DaemonFixture.gauge(stats, "connections.open") == 1)
        #expect(try pinger.roundTrip(.ping(PingRequest()), id: id + 2) == .ping(PingResponse()))
        await fixture.stop()
    }

    @Test func aRequestInFlightKeepsAnIdleConnectionUntilItIsAnswered() async throws {
        let fixture = try await DaemonFixture.start(settings: "  limits:\n    idleTimeout: 1s")
        let gate = try ReloadGate(path: fixture.directory + "/held.yaml")
        let valid = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        defer { gate.release(with: valid, timeout: .milliseconds(10)) }
        let client = try fixture.connect()
        try client.send(.reload(ReloadRequest(configPath: gate.path)), id: 1)
        // Sends nothing for more than twice the idle timeout while the RELOAD waits on the pipe.
        usleep(2_500_000)
        #expect(gate.release(with: valid), "the daemon never opened the configuration pipe")
        let answer = try #require(try client.receive(), "the connection with a request in flight was closed")
        #expect(answer.id == 1)
        guard case .reload(let reload) = answer.response else {
            Issue.record("RELOAD answered with \(answer.response)")
            return
        }
        #expect(reload.ok, "\(reload.message)")
        // Once answered, the connection is idle and closed.
        let frames = try #require(client.framesUntilClosed(timeout: .seconds(15)), "the idle connection stayed open")
        #expect(frames.isEmpty)
        #expect(DaemonFixture.counter(fixture.daemon.statisticsSnapshot(), "connections.timed_out") == 1)
        await fixture.stop()
    }

    @Test func slowReaderIsNoLongerReadAndIsClosedWhileOthersAreServed() async throws {
        let highWater = 64 << 10
        let fixture = try await DaemonFixture.start(settings: "  limits:\n    slowReaderTimeout: 1s") { options in
            options.writeBufferHighWaterMark = highWater
            options.writeBufferLowWaterMark = 16 << 10
        }
        let frameCount = 512
        let payload = [UInt8](repeating: 0x5a, count: 64 << 10)
        var pipelined: [UInt8] = []
        pipelined.reserveCapacity(frameCount * (payload.count + 20))
        for id in 1...frameCount {
            try FrameEncoder.append(.ping(PingRequest(data: payload)), requestID: UInt64(id), to: &pipelined)
        }
        let request = pipelined
        // The slow reader writes from another thread: its sends block once the daemon stops reading.
        let outcome = Mutex<(sent: Int, closed: Bool)?>(nil)
        let done = DispatchSemaphore(value: 0)
        let socketPath = fixture.socketPath
        DispatchQueue.global().async {
            defer { done.signal() }
            guard let slow = try? TestClient(path: socketPath) else { return }
            let sent = slow.sendRaw(request, stallTimeout: .seconds(20))
            // The daemon closed it while its answers sat unread; what remains buffered is discarded.
            let closed = slow.framesUntilClosed(timeout: .seconds(20)) != nil
            outcome.withLock { $0 = (sent, closed) }
        }
        // Meanwhile another connection is served, until the slow one has been timed out.
        let other = try fixture.connect()
        var id: UInt64 = 0
        var timedOut: UInt64 = 0
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while timedOut == 0 && ContinuousClock.now < deadline {
            id += 1
            #expect(
                try other.roundTrip(.ping(PingRequest(data: [1, 2, 3])), id: id)
                    == .ping(PingResponse(data: [1, 2, 3]))
            )
            id += 1
            timedOut = DaemonFixture.counter(try other.stats(id: id), "connections.timed_out")
            if timedOut == 0 { usleep(50_000) }
        }
        #expect(timedOut == 1, "the slow reader was not timed out")
        #expect(done.wait(timeout: .now() + 60) == .success)
        let (sent, closed) = try #require(outcome.withLock { $0 }, "the slow reader could not connect")
        #expect(closed, "the slow reader's connection stayed open")
        #expect(sent < request.count, "the daemon kept reading from a peer that does not read its answers")
        // The daemon read only what fits its buffers: a few answers past the high-water mark, not the flood.
        let stats = try other.stats(id: id + 1)
        let otherPings = id / 2
        let slowPings = DaemonFixture.counter(stats, "requests.ping") - otherPings
        #expect(slowPings < UInt64(frameCount) / 4, "the daemon took \(slowPings) pings of a stalled reader")
        #expect(UInt64(sent) >= slowPings * UInt64(payload.count), "counted more pings than were sent")
        #expect(DaemonFixture.gauge(stats, "connections.open") == 1)
        // Nothing is left in flight but the STATS request being answered.
        #expect(DaemonFixture.gauge(stats, "requests.in_flight") == 1)
        #expect(try other.roundTrip(.ping(PingRequest()), id: id + 2) == .ping(PingResponse()))
        await fixture.stop()
    }
}
