import AttestDaemon
import AttestWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Draining in-process (`shutdown()`), as PROTOCOL.md §6 documents it: new requests get SHUTTING_DOWN,
/// requests in flight complete, and each connection closes after its last answer.
@Suite(.serialized)
struct DaemonDrainTests {
    @Test func shutdownAnswersNewRequestsShuttingDownAndCompletesThoseInFlight() async throws {
        let fixture = try await DaemonFixture.start()
        let gate = try ReloadGate(path: fixture.directory + "/held.yaml")
        let valid = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        defer { gate.release(with: valid, timeout: .milliseconds(10)) }
        let busy = try fixture.connect()
        let idle = try fixture.connect()
        #expect(try idle.roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        // A request that stays in flight until the test lets it finish.
        try busy.send(.reload(ReloadRequest(configPath: gate.path)), id: 1)
        #expect(try busy.roundTrip(.ping(PingRequest(data: [1])), id: 2) == .ping(PingResponse(data: [1])))
        let daemon = fixture.daemon
        let stopping = Task { await daemon.shutdown() }

        let (id, refusal) = try DaemonDrainTests.pingUntilRefused(busy, firstID: 3)
        guard case .error(let error) = refusal else {
            Issue.record("request \(id) answered with \(refusal)")
            return
        }
        #expect(error.status == .shuttingDown)
        #expect(error.requestOpcode == .ping)
        // A connection with nothing in flight is closed at once, without a frame.
        let idleFrames = try #require(idle.framesUntilClosed(timeout: .seconds(20)), "the idle connection stayed open")
        #expect(idleFrames.isEmpty)
        #expect(daemon.statistics.inFlight == 1)

        // The request in flight completes and is answered; then the connection closes.
        #expect(gate.release(with: valid), "the RELOAD never opened the pipe")
        let rest = try #require(busy.framesUntilClosed(timeout: .seconds(20)), "the draining connection stayed open")
        #expect(rest.map(\.id) == [1])
        if case .reload(let reload)? = rest.first?.response {
            #expect(reload.ok, "\(reload.message)")
        } else {
            Issue.record("the RELOAD in flight was answered with \(rest)")
        }
        await stopping.value
        #expect(daemon.statistics.errors(.shuttingDown) >= 1)
        #expect(access(fixture.socketPath, F_OK) != 0, "the socket file is removed")
        await fixture.stop()
    }

    /// Pings until the answer is not a PONG (draining has begun), bounded in count and time.
    static func pingUntilRefused(_ client: TestClient, firstID: UInt64) throws -> (UInt64, Response) {
        var id = firstID
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            let response = try client.roundTrip(.ping(PingRequest(data: [7])), id: id)
            if response != .ping(PingResponse(data: [7])) { return (id, response) }
            id += 1
            usleep(2_000)
        }
        throw TestClient.ClientError(description: "the daemon kept answering PING for 20 s after shutdown began")
    }
}
