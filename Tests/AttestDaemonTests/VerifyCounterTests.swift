import AttestDaemon
import AttestWire
import Testing

/// STATS `verify.checks` and `verify.operations`: how many attestor checks ran on the workers and how many
/// public-key verifications they cost (one per check when the stored attestation's key is tried first).
@Suite(.serialized)
struct VerifyCounterTests {
    @Test func aMissCostsOneVerificationAndAHitNone() async throws {
        let fixture = try await DaemonFixture.start()
        let client = try fixture.connect()
        let before = try client.stats(id: 1)
        #expect(DaemonFixture.counter(before, "verify.checks") == 0)
        #expect(DaemonFixture.counter(before, "verify.operations") == 0)

        let first = try client.check([("prod", DaemonFixture.signedImage)], id: 2)
        #expect(first.map(\.decision) == [.admitted])
        let afterMiss = try client.stats(id: 3)
        #expect(DaemonFixture.counter(afterMiss, "verify.checks") == 1)
        #expect(DaemonFixture.counter(afterMiss, "verify.operations") == 1)

        // Answered from the cache: no worker check, no verification.
        #expect(try client.check([("prod", DaemonFixture.signedImage)], id: 4).map(\.decision) == [.admitted])
        // An image with no stored attestation is a check that verifies nothing.
        #expect(try client.check([("prod", DaemonFixture.unsignedImage(7))], id: 5).map(\.decision) == [.denied])
        let after = try client.stats(id: 6)
        #expect(DaemonFixture.counter(after, "verify.checks") == 2)
        #expect(DaemonFixture.counter(after, "verify.operations") == 1)
        await fixture.stop()
    }
}
