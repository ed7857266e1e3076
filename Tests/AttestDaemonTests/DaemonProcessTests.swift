import AttestCore
import AttestCrypto
import AttestStore
import AttestWire
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `attestd` executable as a subprocess: SIGTERM drains requests in flight, removes the socket and
/// exits 0.
struct DaemonProcessTests {
    /// The `attestd` binary next to this test bundle's build products, or `nil` when it was not built.
    static func executable() -> String? {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/"
            && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path)
        {
            directory = directory.deletingLastPathComponent()
        }
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("attestd").path,
            directory.appendingPathComponent(".build/debug/attestd").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func sigtermDrainsRequestsInFlightAndExitsZero() async throws {
        guard let binary = Self.executable() else {
            Issue.record("attestd binary not found: run `swift build --product attestd` first")
            return
        }
        let directory = "/tmp/attestd-test-" + String(UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let key = try PrivateKey.generate(for: .ecdsaP256SHA256)
        let socketPath = directory + "/d.sock"
        try DaemonFixture.configuration(
            key: key.publicKey,
            socketPath: socketPath,
            storePath: directory + "/s.sqlite",
            settings: ""
        )
        .write(toFile: directory + "/c.yaml", atomically: true, encoding: .utf8)
        _ = try AttestationStore(path: directory + "/s.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", directory + "/c.yaml", "--workers", "1", "--log-level", "warning"]
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var attempts = 0
        while !DaemonProcessTests.isListening(socketPath) && attempts < 1000 {
            attempts += 1
            usleep(10_000)
        }
        try #require(DaemonProcessTests.isListening(socketPath), "attestd did not start listening")

        let attestation = try DaemonFixture.attestation(for: DaemonFixture.signedImage, key: key)
        let item = VerifyItem(
            algorithm: "ecdsa-p256-sha256",
            key: .attestor("qa-attestor"),
            image: DaemonFixture.signedImage,
            payload: attestation.payload,
            signature: attestation.signature
        )
        let client = try TestClient(path: socketPath)
        var bytes: [UInt8] = []
        let requests = 30
        for id in 1...requests {
            try FrameEncoder.append(
                .verify(VerifyRequest(items: Array(repeating: item, count: 50))),
                requestID: UInt64(id),
                to: &bytes
            )
        }
        try client.sendRaw(bytes)
        // Wait until the daemon has taken every request, so all of them are in flight or done.
        let observer = try TestClient(path: socketPath)
        var taken: UInt64 = 0
        for poll in 0..<2000 where taken < UInt64(requests) {
            guard case .stats(let stats) = try observer.roundTrip(.stats(StatsRequest()), id: UInt64(poll + 1)) else {
                break
            }
            taken = DaemonFixture.counter(stats, "requests.verify")
            if taken < UInt64(requests) { usleep(2_000) }
        }
        #expect(taken == UInt64(requests))
        kill(process.processIdentifier, SIGTERM)

        var answered: Set<UInt64> = []
        while let (id, response) = try client.receive() {
            #expect(answered.insert(id).inserted)
            guard case .verify(let verify) = response else {
                Issue.record("request \(id) answered with \(response) instead of its results")
                continue
            }
            #expect(verify.results.count == 50)
            #expect(verify.results.allSatisfy { $0.status == .valid })
        }
        #expect(answered.count == requests, "every request in flight at SIGTERM is answered before the close")
        var waits = 0
        while process.isRunning && waits < 2000 {
            waits += 1
            usleep(10_000)
        }
        #expect(!process.isRunning)
        if !process.isRunning {
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
        #expect(access(socketPath, F_OK) != 0, "the socket file is removed")
    }

    static func isListening(_ path: String) -> Bool {
        (try? TestClient(path: path)) != nil
    }
}
