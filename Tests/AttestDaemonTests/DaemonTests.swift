import AttestCore
import AttestCrypto
import AttestDaemon
import AttestStore
import AttestWire
import Dispatch
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The daemon in-process over real Unix sockets, a real SQLite store and real ECDSA keys.
@Suite(.serialized)
struct DaemonTests {
    private func check(_ client: TestClient, _ items: [(String, String)], id: UInt64 = 1) throws -> [CheckResult] {
        let request = Request.check(CheckRequest(items: items.map { CheckItem(namespace: $0.0, image: $0.1) }))
        guard case .check(let response) = try client.roundTrip(request, id: id) else {
            Issue.record("CHECK was not answered with CHECK")
            return []
        }
        return response.results
    }

    private func stats(_ client: TestClient, id: UInt64 = 99) throws -> StatsResponse {
        guard case .stats(let stats) = try client.roundTrip(.stats(StatsRequest()), id: id) else {
            throw TestClient.ClientError(description: "STATS was not answered with STATS")
        }
        return stats
    }

    private func errorStatus(_ response: Response) -> WireStatus? {
        if case .error(let error) = response { return error.status }
        return nil
    }

    @Test func pingAndHello() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let hello = HelloRequest(
            minVersion: 1,
            maxVersion: 3,
            maxFrameSize: 1 << 20,
            maxDecompressedSize: 1 << 20,
            features: [.lz4],
            clientName: "test",
            extensions: []
        )
        guard case .hello(let answer) = try client.roundTrip(.hello(hello), id: 1) else {
            Issue.record("HELLO was not answered with HELLO")
            return
        }
        #expect(answer.version == 1)
        #expect(answer.serverName == "attestd")
        #expect(answer.limits.maxBatchItems == 4096)
        #expect(answer.features.contains(.lz4))
        #expect(
            try client.roundTrip(.ping(PingRequest(data: Array("hi".utf8))), id: 2)
                == .ping(PingResponse(data: Array("hi".utf8)))
        )
        // A second HELLO is refused, and the connection stays usable.
        #expect(errorStatus(try client.roundTrip(.hello(hello), id: 3)) == .invalidRequest)
        // LZ4 negotiated: a large PING answer comes back compressed and decodes to the same bytes.
        let big = [UInt8](repeating: 0x61, count: 100_000)
        #expect(try client.roundTrip(.ping(PingRequest(data: big)), id: 4) == .ping(PingResponse(data: big)))
        await fixture.stop()
    }

    @Test func checkDecisions() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let results = try check(
            client,
            [
                ("prod", DaemonFixture.signedImage), ("prod", DaemonFixture.unsignedImage),
                ("prod", DaemonFixture.tagImage), ("prod", DaemonFixture.otherRepositoryImage),
                ("open", DaemonFixture.tagImage), ("prod", "not a reference!"),
            ]
        )
        try #require(results.count == 6)
        #expect(results[0].decision == .admitted)
        #expect(results[0].reason == "attested")
        #expect(results[0].satisfied == ["qa-attestor"])
        #expect(results[1].decision == .denied)
        #expect(results[1].missing == ["qa-attestor"])
        #expect(results[1].message.hasPrefix("image \(DaemonFixture.unsignedImage) is not attested"))
        #expect(results[2].decision == .denied)
        #expect(results[2].reason == "tag-reference")
        #expect(results[3].decision == .denied, "a signature binds the repository, not only the digest")
        #expect(results[4].decision == .admitted, "a namespace without policy admits by default")
        #expect(results[5].decision == .denied)
        await fixture.stop()
    }

    @Test func admitWithBreakglassAndDryRun() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        func admit(_ annotations: [Annotation], dryRun: Bool, id: UInt64) throws -> AdmitResponse {
            let request = AdmitRequest(
                namespace: "prod",
                kind: "Pod",
                name: "web-0",
                operation: "CREATE",
                dryRun: dryRun,
                annotations: annotations,
                images: [DaemonFixture.signedImage, DaemonFixture.tagImage, DaemonFixture.unsignedImage]
            )
            guard case .admit(let response) = try client.roundTrip(.admit(request), id: id) else {
                throw TestClient.ClientError(description: "ADMIT not answered with ADMIT")
            }
            return response
        }
        let denied = try admit([], dryRun: false, id: 1)
        #expect(!denied.allowed)
        #expect(denied.statusCode == 403)
        #expect(denied.message == "image \(DaemonFixture.tagImage) is not attested")
        #expect(denied.results.map(\.decision) == [.admitted, .denied, .denied])
        #expect(denied.warnings.count == 2)
        #expect(denied.warnings.contains { $0.contains(DaemonFixture.unsignedImage) && $0.contains("qa-attestor") })
        let notBroken = try admit(
            [Annotation(key: "kritis.grafeas.io/breakglass", value: "false")],
            dryRun: false,
            id: 2
        )
        #expect(!notBroken.allowed)
        let breakglass = try admit(
            [Annotation(key: "kritis.grafeas.io/breakglass", value: "true")],
            dryRun: false,
            id: 3
        )
        #expect(breakglass.allowed)
        #expect(breakglass.warnings.first?.contains("breakglass") == true)
        let dryRun = try admit([], dryRun: true, id: 4)
        #expect(dryRun.allowed)
        #expect(dryRun.warnings.first?.contains("image \(DaemonFixture.tagImage) is not attested") == true)
        await fixture.stop()
    }

    @Test func verifyRawSignatures() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let attestation = try DaemonFixture.attestation(for: DaemonFixture.signedImage, key: fixture.key)
        let inline = fixture.key.publicKey.spkiDER
        var tampered = attestation.signature
        tampered[tampered.count / 2] ^= 0x55
        let items = [
            VerifyItem(
                algorithm: "ecdsa-p256-sha256",
                key: .attestor("qa-attestor"),
                image: DaemonFixture.signedImage,
                payload: attestation.payload,
                signature: attestation.signature
            ),
            VerifyItem(
                algorithm: "ECDSA_SHA_256",
                key: .inlineKey(inline),
                payload: attestation.payload,
                signature: attestation.signature
            ),
            VerifyItem(
                algorithm: "ecdsa-p256-sha256",
                key: .inlineKey(inline),
                payload: attestation.payload,
                signature: tampered
            ),
            VerifyItem(
                algorithm: "ecdsa-p256-sha256",
                key: .attestor("qa-attestor"),
                image: DaemonFixture.otherRepositoryImage,
                payload: attestation.payload,
                signature: attestation.signature
            ),
            VerifyItem(algorithm: "rot13", key: .attestor("qa-attestor"), payload: [1], signature: [2]),
            VerifyItem(algorithm: "ed25519", key: .attestor("nobody"), payload: [1], signature: [2]),
            VerifyItem(algorithm: "ed25519", key: .inlineKey([0x30, 0x01, 0x00]), payload: [1], signature: [2]),
        ]
        guard case .verify(let response) = try client.roundTrip(.verify(VerifyRequest(items: items)), id: 7) else {
            Issue.record("VERIFY was not answered with VERIFY")
            return
        }
        #expect(response.results.map(\.status) == [.valid, .valid, .invalid, .invalid, .error, .error, .error])
        #expect(
            response.results.map(\.reason) == [
                "valid", "valid", "bad-signature", "identity-mismatch", "unknown-algorithm", "unknown-attestor",
                "bad-key",
            ]
        )
        await fixture.stop()
    }

    @Test func coalescingAndCacheHitsObservedThroughStats() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let before = try stats(client, id: 1)
        // 64 identical misses in one batch: one verification, 63 coalesced onto it.
        let results = try check(client, Array(repeating: ("prod", DaemonFixture.signedImage), count: 64), id: 2)
        #expect(results.allSatisfy { $0.decision == .admitted })
        let after = try stats(client, id: 3)
        #expect(DaemonFixture.counter(after, "pool.queued") - DaemonFixture.counter(before, "pool.queued") == 1)
        #expect(
            DaemonFixture.counter(after, "coalescer.coalesced") - DaemonFixture.counter(before, "coalescer.coalesced")
                == 63
        )
        #expect(DaemonFixture.counter(after, "cache.insertions") == 1)
        // The repeat is answered from the cache: no new job, one more hit.
        #expect(try check(client, [("prod", DaemonFixture.signedImage)], id: 4).first?.decision == .admitted)
        let repeated = try stats(client, id: 5)
        #expect(DaemonFixture.counter(repeated, "pool.queued") == DaemonFixture.counter(after, "pool.queued"))
        #expect(DaemonFixture.counter(repeated, "cache.hits") == DaemonFixture.counter(after, "cache.hits") + 1)
        #expect(DaemonFixture.counter(repeated, "requests.check") == 2)
        // A new attestation forgets the cached negative verdict for its image.
        #expect(try check(client, [("prod", DaemonFixture.unsignedImage)], id: 6).first?.decision == .denied)
        let signed = try DaemonFixture.attestation(for: DaemonFixture.unsignedImage, key: fixture.key)
        let put = PutAttestationsRequest(items: [
            PutAttestationItem(
                image: DaemonFixture.unsignedImage,
                payload: signed.payload,
                signature: signed.signature,
                keyID: "qa-key",
                source: "test"
            ),
            PutAttestationItem(
                image: DaemonFixture.unsignedImage,
                payload: signed.payload,
                signature: signed.signature,
                source: "test"
            ),
            PutAttestationItem(image: DaemonFixture.tagImage, payload: [1], signature: [2], source: "test"),
        ])
        guard case .putAttestations(let stored) = try client.roundTrip(.putAttestations(put), id: 7) else {
            Issue.record("PUT_ATTESTATIONS was not answered with PUT_ATTESTATIONS")
            return
        }
        #expect(stored.stored == 1)
        #expect(stored.results.map(\.status) == [.stored, .duplicate, .rejected])
        #expect(try check(client, [("prod", DaemonFixture.unsignedImage)], id: 8).first?.decision == .admitted)
        await fixture.stop()
    }

    @Test func pipelinedRequestsAreAnsweredById() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        var bytes: [UInt8] = []
        var expected: [UInt64: Response] = [:]
        for id in UInt64(1)...40 {
            let request: Request
            if id % 3 == 0 {
                request = .check(CheckRequest(items: [CheckItem(namespace: "prod", image: DaemonFixture.signedImage)]))
            } else {
                let data = Array("request \(id)".utf8)
                request = .ping(PingRequest(data: data))
                expected[id] = .ping(PingResponse(data: data))
            }
            try FrameEncoder.append(request, requestID: id, to: &bytes)
        }
        try client.sendRaw(bytes)
        var seen: Set<UInt64> = []
        for _ in 0..<40 {
            let (id, response) = try #require(try client.receive())
            #expect(seen.insert(id).inserted, "one answer per request id")
            if let want = expected[id] {
                #expect(response == want)
            } else if case .check(let check) = response {
                #expect(check.results.first?.decision == .admitted)
            } else {
                Issue.record("request \(id) answered with \(response)")
            }
        }
        #expect(seen == Set(1...40))
        await fixture.stop()
    }

    @Test func concurrentClientsGetTheirOwnAnswers() async throws {
        let fixture = try await DaemonFixture.start()
        let failures = Mutex<[String]>([])
        let group = DispatchGroup()
        for clientIndex in 0..<8 {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                do {
                    let client = try fixture.connect()
                    for round in UInt64(1)...10 {
                        let data = Array("client \(clientIndex) round \(round)".utf8)
                        let base = round * 10
                        var bytes: [UInt8] = []
                        try FrameEncoder.append(.ping(PingRequest(data: data)), requestID: base + 1, to: &bytes)
                        let image = round % 2 == 0 ? DaemonFixture.signedImage : DaemonFixture.unsignedImage
                        try FrameEncoder.append(
                            .check(CheckRequest(items: [CheckItem(namespace: "prod", image: image)])),
                            requestID: base + 2,
                            to: &bytes
                        )
                        bytes += TestClient.rawFrame(opcode: 0x42, id: base + 3)  // unknown opcode: refused, kept
                        try client.sendRaw(bytes)
                        for _ in 0..<3 {
                            guard let (id, response) = try client.receive() else {
                                throw TestClient.ClientError(description: "closed")
                            }
                            switch id - base {
                            case 1 where response == .ping(PingResponse(data: data)): break
                            case 2:
                                guard case .check(let check) = response,
                                    check.results.first?.decision == (round % 2 == 0 ? .admitted : .denied)
                                else { throw TestClient.ClientError(description: "wrong CHECK answer \(response)") }
                            case 3 where errorStatus(response) == .unknownOpcode: break
                            default:
                                throw TestClient.ClientError(
                                    description: "client \(clientIndex): unexpected \(id) \(response)"
                                )
                            }
                        }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(failures.withLock { $0 } == [])
        await fixture.stop()
    }

    @Test func reloadWithRotatedKeyAndBadReload() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        #expect(try check(client, [("prod", DaemonFixture.signedImage)], id: 1).first?.decision == .admitted)
        // A broken file is refused; the old configuration stays, with its cached verdicts.
        try "kind: [unclosed".write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        guard case .reload(let refused) = try client.roundTrip(.reload(ReloadRequest()), id: 2) else {
            Issue.record("RELOAD was not answered with RELOAD")
            return
        }
        #expect(!refused.ok)
        #expect(refused.message.contains(fixture.configPath))
        #expect(fixture.daemon.configurationGeneration == 1)
        #expect(try check(client, [("prod", DaemonFixture.signedImage)], id: 3).first?.decision == .admitted)
        // Rotate to a new key: the old signature no longer satisfies, despite the cached positive verdict.
        let rotated = try PrivateKey.generate(for: .ecdsaP256SHA256)
        try fixture.rewriteConfiguration(key: rotated.publicKey)
        guard case .reload(let accepted) = try client.roundTrip(.reload(ReloadRequest()), id: 4) else {
            Issue.record("RELOAD was not answered with RELOAD")
            return
        }
        #expect(accepted.ok, "\(accepted.message)")
        #expect(fixture.daemon.configurationGeneration == 2)
        let after = try check(client, [("prod", DaemonFixture.signedImage)], id: 5)
        #expect(after.first?.decision == .denied)
        #expect(after.first?.missing == ["qa-attestor"])
        // The in-process API reports the same refusal for a missing file.
        #expect(!fixture.daemon.reload(configurationPath: fixture.directory + "/missing.yaml").ok)
        #expect(fixture.daemon.configurationGeneration == 2)
        await fixture.stop()
    }
}
