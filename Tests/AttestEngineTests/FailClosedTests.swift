import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import Testing

/// A source that cannot be read: the engine must deny, say why, and mark the answer uncacheable.
struct FailClosedTests {
    struct Unreadable: Error, CustomStringConvertible {
        var description: String { "disk I/O error (injected)" }
    }

    /// Throws for every lookup, or only for `repository` when given.
    struct BrokenSource: AttestationSource {
        var repository: String?
        var fallback: [StoredAttestation] = []

        func attestations(repository: String, digest: String) throws -> [StoredAttestation] {
            if self.repository == nil || self.repository == repository { throw Unreadable() }
            return fallback.filter { $0.repository == repository && $0.digest == digest }
        }
    }

    private static let yaml = YAMLDocuments.file(
        YAMLDocuments.attestor("ci", key: TestKeys.rsaA),
        YAMLDocuments.policy("p", attestors: ["ci"])
    )

    @Test func throwingSourceDeniesAsUnavailable() throws {
        let configuration = try Configuration.parse(yaml: Self.yaml, file: "test.yaml")
        let verdict = AdmissionEngine(configuration: configuration).evaluate(
            namespace: "default",
            images: [Images.signed],
            verifier: AttestationVerifier(source: BrokenSource()),
            context: VerifierContext()
        )[0]
        #expect(!verdict.admitted)
        #expect(verdict.reason == .unavailable)
        #expect(verdict.message == "image \(Images.signed) is not attested")
        #expect(verdict.missingAttestors == ["ci"])
        #expect(verdict.details.contains { $0.contains("injected") })
    }

    @Test func throwingSourceGivesATransientCheck() throws {
        let configuration = try Configuration.parse(yaml: Self.yaml, file: "test.yaml")
        let check = AttestationVerifier(source: BrokenSource()).check(
            image: try ImageReference(parsing: Images.signed),
            attestor: try #require(configuration.attestor(named: "ci")),
            context: VerifierContext()
        )
        #expect(!check.satisfied)
        #expect(check.isTransient)
        #expect(check.reason == .sourceUnavailable)
        #expect(check.message.contains(Images.signedRepository))
    }

    @Test func definitiveAnswersAreNotTransient() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        #expect(try harness.check(Images.signed, attestor: "ci").isTransient == false)
        try harness.sign(Images.signed, with: TestKeys.rsaB, algorithm: .rsaPSSSHA256)
        #expect(try harness.check(Images.signed, attestor: "ci").isTransient == false)
    }

    @Test func allowlistedAndUnpolicedImagesNeedNoSource() throws {
        let yaml = YAMLDocuments.file(
            Self.yaml,
            YAMLDocuments.settings(["allowlistPatterns: [\"registry.example.com/base/*\"]"])
        )
        let configuration = try Configuration.parse(yaml: yaml, file: "test.yaml")
        let verdicts = AdmissionEngine(configuration: configuration).evaluate(
            namespace: "default",
            images: ["registry.example.com/base/alpine:3", "alpine:3.11"],
            verifier: AttestationVerifier(source: BrokenSource()),
            context: VerifierContext()
        )
        #expect(verdicts.map(\.admitted) == [true, false])
        #expect(verdicts[1].reason == .notAttestable)
    }

    @Test func unavailableAttestorUnderAnyIsNotNeededWhenAnotherIsSatisfied() throws {
        // Under `any`, a satisfied attestor admits even though another one's source failed.
        let yaml = YAMLDocuments.file(
            YAMLDocuments.attestor("ci", key: TestKeys.rsaA),
            YAMLDocuments.attestor("qa", key: TestKeys.rsaB),
            YAMLDocuments.policy("p", attestors: ["ci", "qa"], extraSpec: ["mode: any"])
        )
        let engine = AdmissionEngine(configuration: try Configuration.parse(yaml: yaml, file: "test.yaml"))
        guard case .pending(let pending) = engine.plan(namespace: "default", image: Images.signed) else {
            Issue.record("expected a pending plan")
            return
        }
        #expect(pending.attestors.map(\.name) == ["ci", "qa"])
        let transient = AttestorCheck(satisfied: false, reason: .sourceUnavailable, message: "down", isTransient: true)
        let good = AttestorCheck(satisfied: true, reason: .valid, message: "ok", keyID: "k")
        #expect(engine.decide(pending, results: ["ci": good, "qa": transient]).admitted)
        let denied = engine.decide(pending, results: ["qa": transient])
        #expect(!denied.admitted)
        #expect(denied.reason == .unavailable)
        // A missing result counts as unsatisfied and is not transient.
        let unchecked = engine.decide(pending, results: [:])
        #expect(unchecked.reason == .notAttested)
        #expect(unchecked.details.contains("attestor ci: not checked"))
    }
}
