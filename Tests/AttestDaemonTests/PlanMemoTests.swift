import AttestCore
import AttestCrypto
import AttestEngine
import AttestStore
import AttestWire
import Foundation
import Synchronization
import Testing

@testable import AttestDaemon

#if canImport(Glibc)
    import Glibc
#endif

/// The plan memo: repeats are answered from it, it is bounded, a reload starts a new one, and it never
/// answers a decision the verdict cache no longer supports (expiry, new attestations, key rotation).
@Suite(.serialized)
struct PlanMemoTests {
    private static func decided(_ image: String) -> PlanMemo.Entry {
        PlanMemo.Entry(
            plan: .decided(
                PlanMemo.Decision(ImageVerdict(image: image, admitted: true, reason: .noPolicy, message: ""))
            )
        )
    }

    @Test func remembersQuestionsAndPlansARepeatWithinABatchOnce() {
        let counters = PlanMemo.Counters()
        let memo = PlanMemo(capacity: 16, shardCount: 1, counters: counters)
        var planned: [String] = []
        let questions = [("a", "x"), ("a", "y"), ("a", "x"), ("b", "x")].map { (namespace: $0.0, image: $0.1) }
        let first = memo.entries(for: questions) { namespace, image in
            planned.append(namespace + "/" + image)
            return Self.decided(image)
        }
        #expect(planned == ["a/x", "a/y", "b/x"])
        #expect(first[0] === first[2], "a question repeated within one batch shares its entry")
        #expect(counters.misses.load(ordering: .relaxed) == 3)
        #expect(counters.hits.load(ordering: .relaxed) == 1)
        let second = memo.entries(for: questions) { _, image in
            Issue.record("remembered question planned again")
            return Self.decided(image)
        }
        #expect(zip(first, second).allSatisfy { $0 === $1 })
        #expect(counters.hits.load(ordering: .relaxed) == 5)
        #expect(memo.count == 3)
    }

    @Test func aFullMemoIsEmptiedAndStaysBounded() {
        let counters = PlanMemo.Counters()
        let memo = PlanMemo(capacity: 4, shardCount: 1, counters: counters)
        for round in 0..<10 {
            _ = memo.entries(for: [(namespace: "n", image: "image-\(round)")]) { _, image in Self.decided(image) }
            #expect(memo.count <= 4)
        }
        #expect(counters.misses.load(ordering: .relaxed) == 10)
        #expect(counters.resets.load(ordering: .relaxed) == 2)
        #expect(memo.count == 2)
    }

    @Test func theLastDecisionIsReusedOnlyForTheSameVerdicts() {
        let entry = Self.decided("x")
        let decision = PlanMemo.Decision(ImageVerdict(image: "x", admitted: false, reason: .notAttested, message: "no"))
        let valid = VerdictCache.Verdict.satisfied(keyIndex: 0)
        #expect(entry.decision(for: [valid]) == nil)
        entry.remember(decision, for: [valid])
        #expect(entry.decision(for: [valid]) === decision)
        #expect(entry.decision(for: [nil]) == nil)
        #expect(entry.decision(for: [valid, valid]) == nil)
    }

    // MARK: - Through the daemon

    @Test func repeatsHitTheMemoAndAReloadStartsAnEmptyOne() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let question = [("prod", DaemonFixture.signedImage)]
        #expect(try client.check(question, id: 1).map(\.decision) == [.admitted])
        let first = try client.stats(id: 2)
        #expect(DaemonFixture.counter(first, "plan.memo_misses") == 1)
        #expect(DaemonFixture.counter(first, "plan.memo_hits") == 0)
        #expect(DaemonFixture.gauge(first, "plan.memo_entries") == 1)
        for id in UInt64(3)...5 {
            #expect(try client.check(question, id: id).map(\.decision) == [.admitted])
        }
        let repeated = try client.stats(id: 6)
        #expect(DaemonFixture.counter(repeated, "plan.memo_misses") == 1)
        #expect(DaemonFixture.counter(repeated, "plan.memo_hits") == 3)
        #expect(DaemonFixture.counter(repeated, "plan.decision_reuses") >= 2)
        #expect(DaemonFixture.counter(repeated, "cache.hits") == 3, "the cache is consulted on every repeat")
        // The same file reloaded: a new generation, a new empty memo; the cache (same settings) is kept.
        guard case .reload(let reload) = try client.roundTrip(.reload(ReloadRequest()), id: 7) else {
            Issue.record("RELOAD was not answered with RELOAD")
            return
        }
        #expect(reload.ok, "\(reload.message)")
        let reloaded = try client.stats(id: 8)
        #expect(DaemonFixture.gauge(reloaded, "plan.memo_entries") == 0)
        #expect(DaemonFixture.gauge(reloaded, "config.generation") == 2)
        #expect(try client.check(question, id: 9).map(\.decision) == [.admitted])
        let after = try client.stats(id: 10)
        #expect(DaemonFixture.counter(after, "plan.memo_misses") == 2)
        #expect(DaemonFixture.counter(after, "cache.hits") == 4)
        #expect(DaemonFixture.counter(after, "pool.queued") == DaemonFixture.counter(first, "pool.queued"))
        await fixture.stop()
    }

    @Test func aMissReusesOnlyTheAdmissionMadeFromTheSameVerdicts() async throws {
        // No verdict cache: every check is a miss and runs on the workers.
        let fixture = try await DaemonFixture.start(settings: "  cache:\n    maxEntries: 0")
        let client = try fixture.connect()
        let signed = [("prod", DaemonFixture.signedImage)]
        let first = try client.check(signed, id: 1)
        let second = try client.check(signed, id: 2)
        #expect(first.map(\.decision) == [.admitted])
        #expect(second == first, "a reused admission answers exactly what deciding again would")
        let afterRepeat = try client.stats(id: 3)
        #expect(DaemonFixture.counter(afterRepeat, "verify.checks") == 2, "both were verified")
        #expect(DaemonFixture.counter(afterRepeat, "plan.decision_reuses") == 1)

        // Denials are decided afresh each time: their messages quote the checks.
        let unsigned = [("prod", DaemonFixture.unsignedImage(3))]
        #expect(try client.check(unsigned, id: 4).map(\.decision) == [.denied])
        #expect(try client.check(unsigned, id: 5).map(\.decision) == [.denied])
        #expect(DaemonFixture.counter(try client.stats(id: 6), "plan.decision_reuses") == 1)

        // The attestation disappears: the checks now differ from the remembered ones, so no admission is reused.
        let reference = try AttestCore.ImageReference(parsing: DaemonFixture.signedImage)
        let removed = try AttestationStore(path: fixture.storePath)
            .remove(repository: reference.identity, digest: reference.digest!.description)
        #expect(removed == 1)
        let after = try client.check(signed, id: 7)
        #expect(after.map(\.decision) == [.denied])
        #expect(after.first?.reason == "not-attested")
        #expect(DaemonFixture.counter(try client.stats(id: 8), "plan.decision_reuses") == 1)
        await fixture.stop()
    }

    @Test func noStaleDecisionAfterExpiryNewAttestationsOrKeyRotation() async throws {
        let settings = "  cache:\n    positiveTTL: 1s\n    negativeTTL: 1s"
        let fixture = try await DaemonFixture.start(settings: settings)
        let client = try fixture.connect()
        let question = [("prod", DaemonFixture.signedImage)]
        var id: UInt64 = 0
        func decision() throws -> CheckDecision? {
            id += 1
            return try client.check(question, id: id).first?.decision
        }
        #expect(try decision() == .admitted)
        #expect(try decision() == .admitted)
        // The attestation disappears from the store: once the positive verdict expires, the memo's remembered
        // decision must not outlive it.
        let reference = try AttestCore.ImageReference(parsing: DaemonFixture.signedImage)
        let removed = try AttestationStore(path: fixture.storePath)
            .remove(repository: reference.identity, digest: reference.digest!.description)
        #expect(removed == 1)
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        var current = try decision()
        while current == .admitted && ContinuousClock.now < deadline {
            usleep(100_000)
            current = try decision()
        }
        #expect(current == .denied, "an expired positive verdict still admitted the image")
        id += 1
        #expect(DaemonFixture.counter(try client.stats(id: id), "cache.expirations") >= 1)
        // The negative verdict is replaced at once by a new attestation (PUT forgets the image's verdicts).
        let signed = try DaemonFixture.attestation(for: DaemonFixture.signedImage, key: fixture.key)
        id += 1
        let put = try client.roundTrip(
            .putAttestations(
                PutAttestationsRequest(items: [
                    PutAttestationItem(
                        image: DaemonFixture.signedImage,
                        payload: signed.payload,
                        signature: signed.signature,
                        keyID: "qa-key",
                        source: "test"
                    )
                ])
            ),
            id: id
        )
        guard case .putAttestations(let stored) = put else {
            Issue.record("PUT_ATTESTATIONS was answered with \(put)")
            return
        }
        #expect(stored.stored == 1)
        #expect(try decision() == .admitted)
        #expect(try decision() == .admitted)
        // A rotated key: the remembered admission of the old generation is never reused.
        let rotated = try PrivateKey.generate(for: .ecdsaP256SHA256)
        try fixture.rewriteConfiguration(key: rotated.publicKey, settings: settings)
        id += 1
        guard case .reload(let reload) = try client.roundTrip(.reload(ReloadRequest()), id: id) else {
            Issue.record("RELOAD was not answered with RELOAD")
            return
        }
        #expect(reload.ok, "\(reload.message)")
        #expect(try decision() == .denied)
        #expect(try decision() == .denied)
        await fixture.stop()
    }
}
