import AttestCore
import AttestCrypto
import AttestWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signals to the built `attestd`: SIGHUP reloads (a broken file is refused and the old configuration kept),
/// SIGTERM drains (new requests get SHUTTING_DOWN, requests in flight complete).
@Suite(.serialized)
struct DaemonSignalTests {
    private func pollCounter(
        _ client: TestClient,
        _ name: String,
        until target: UInt64,
        id: inout UInt64
    ) throws -> StatsResponse {
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while true {
            id += 1
            let stats = try client.stats(id: id)
            if DaemonFixture.counter(stats, name) >= target || ContinuousClock.now > deadline { return stats }
            usleep(5_000)
        }
    }

    @Test func sighupReloadsARotatedKeyAndKeepsTheOldConfigurationOnABrokenFile() async throws {
        guard let binary = DaemonProcessTests.executable() else {
            Issue.record("attestd binary not found: run `swift build --product attestd` first")
            return
        }
        let daemon = try AttestdProcess(binary: binary)
        defer { daemon.stop() }
        let pid = daemon.process.processIdentifier
        // A SIGHUP as soon as the socket accepts must reload, not kill the daemon.
        kill(pid, SIGHUP)
        let client = try TestClient(path: daemon.socketPath)
        var id: UInt64 = 0
        var stats = try pollCounter(client, "reload.succeeded", until: 1, id: &id)
        #expect(DaemonFixture.counter(stats, "reload.succeeded") == 1)
        #expect(DaemonFixture.gauge(stats, "config.generation") == 2)
        #expect(try client.check([("prod", DaemonFixture.signedImage)], id: 100).first?.decision == .admitted)

        // Rotate the attestor's key: the attestation made with the old key no longer satisfies.
        let rotated = try PrivateKey.generate(for: .ecdsaP256SHA256)
        try DaemonFixture.configuration(
            key: rotated.publicKey,
            socketPath: daemon.socketPath,
            storePath: daemon.storePath,
            settings: ""
        )
        .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        stats = try pollCounter(client, "reload.succeeded", until: 2, id: &id)
        #expect(DaemonFixture.counter(stats, "reload.succeeded") == 2)
        #expect(DaemonFixture.gauge(stats, "config.generation") == 3)
        let denied = try client.check([("prod", DaemonFixture.signedImage)], id: 101)
        #expect(denied.first?.decision == .denied)
        #expect(denied.first?.missing == ["qa-attestor"])
        // An attestation by the new key satisfies it.
        let signed = try DaemonFixture.attestation(for: DaemonFixture.signedImage, key: rotated)
        let put = PutAttestationsRequest(items: [
            PutAttestationItem(
                image: DaemonFixture.signedImage,
                payload: signed.payload,
                signature: signed.signature,
                keyID: "qa-key",
                source: "test"
            )
        ])
        guard case .putAttestations(let stored) = try client.roundTrip(.putAttestations(put), id: 102) else {
            Issue.record("PUT_ATTESTATIONS was not answered with PUT_ATTESTATIONS")
            return
        }
        #expect(stored.stored == 1)
        #expect(try client.check([("prod", DaemonFixture.signedImage)], id: 103).first?.decision == .admitted)

        // A broken file is refused: the failure is counted and the running configuration keeps answering.
        try "kind: [unclosed".write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        stats = try pollCounter(client, "reload.failed", until: 1, id: &id)
        #expect(DaemonFixture.counter(stats, "reload.failed") == 1)
        #expect(DaemonFixture.counter(stats, "reload.succeeded") == 2)
        #expect(DaemonFixture.gauge(stats, "config.generation") == 3)
        let kept = try client.check(
            [("prod", DaemonFixture.signedImage), ("prod", DaemonFixture.unsignedImage)],
            id: 104
        )
        #expect(kept.map(\.decision) == [.admitted, .denied])
        #expect(daemon.process.isRunning)

        kill(pid, SIGTERM)
        #expect(daemon.waitForExit(), "attestd did not exit after SIGTERM")
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0)
    }

    @Test func sigtermAnswersNewRequestsShuttingDownAndCompletesThoseInFlight() async throws {
        guard let binary = DaemonProcessTests.executable() else {
            Issue.record("attestd binary not found: run `swift build --product attestd` first")
            return
        }
        let daemon = try AttestdProcess(binary: binary)
        defer { daemon.stop() }
        let gate = try ReloadGate(path: daemon.directory + "/held.yaml")
        let valid = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        defer { gate.release(with: valid, timeout: .milliseconds(10)) }
        let busy = try TestClient(path: daemon.socketPath)
        let idle = try TestClient(path: daemon.socketPath)
        #expect(try idle.roundTrip(.ping(PingRequest()), id: 1) == .ping(PingResponse()))
        try busy.send(.reload(ReloadRequest(configPath: gate.path)), id: 1)
        // The RELOAD is in flight once the daemon has counted it: it cannot finish before the pipe is written.
        var statsID: UInt64 = 10
        var stats = try idle.stats(id: statsID)
        while DaemonFixture.counter(stats, "requests.reload") == 0 && statsID < 5_000 {
            statsID += 1
            usleep(2_000)
            stats = try idle.stats(id: statsID)
        }
        // The RELOAD and the STATS request being answered.
        #expect(DaemonFixture.gauge(stats, "requests.in_flight") == 2)
        kill(daemon.process.processIdentifier, SIGTERM)

        let (id, refusal) = try DaemonDrainTests.pingUntilRefused(busy, firstID: 2)
        guard case .error(let error) = refusal else {
            Issue.record("request \(id) answered with \(refusal)")
            return
        }
        #expect(error.status == .shuttingDown)
        let idleFrames = try #require(idle.framesUntilClosed(timeout: .seconds(20)), "the idle connection stayed open")
        #expect(idleFrames.isEmpty)
        #expect(daemon.process.isRunning, "attestd exited with a request in flight")

        #expect(gate.release(with: valid), "the RELOAD never opened the pipe")
        let rest = try #require(busy.framesUntilClosed(timeout: .seconds(20)), "the draining connection stayed open")
        #expect(rest.map(\.id) == [1])
        if case .reload(let reload)? = rest.first?.response {
            #expect(reload.ok, "\(reload.message)")
        } else {
            Issue.record("the RELOAD in flight was answered with \(rest)")
        }
        #expect(daemon.waitForExit(), "attestd did not exit after draining")
        #expect(daemon.process.terminationReason == .exit && daemon.process.terminationStatus == 0)
        #expect(access(daemon.socketPath, F_OK) != 0, "the socket file is removed")
    }
}
