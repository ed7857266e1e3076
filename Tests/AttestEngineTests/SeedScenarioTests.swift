import AttestCore
import AttestCrypto
import AttestEngine
import Testing

/// The walkthrough of issue 3: a policy on `default`, a tag image, an unsigned digest and a signed digest.
struct SeedScenarioTests {
    private func harness() throws -> EngineHarness {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.legacyAttestor("kritis-demo-attestor", key: TestKeys.rsaA),
                YAMLDocuments.policy("kritis-demo-policy", attestors: ["kritis-demo-attestor"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        return harness
    }

    @Test func tagImageIsDeniedInKritisWords() throws {
        let verdict = try harness().verdict("alpine:3.11")
        #expect(!verdict.admitted)
        #expect(verdict.reason == .notAttestable)
        #expect(verdict.message == "image alpine:3.11 is not attested")
    }

    @Test func unsignedDigestIsDenied() throws {
        let image = "alpine@\(Images.digestA)"
        let verdict = try harness().verdict(image)
        #expect(!verdict.admitted)
        #expect(verdict.reason == .notAttested)
        #expect(verdict.message == "image \(image) is not attested")
        #expect(verdict.missingAttestors == ["kritis-demo-attestor"])
        #expect(verdict.details.contains { $0.contains("no attestation is stored") })
    }

    @Test func signedDigestInTheSignedRepositoryIsAdmitted() throws {
        let verdict = try harness().verdict(Images.signed)
        #expect(verdict.admitted)
        #expect(verdict.reason == .attested)
        #expect(verdict.satisfiedAttestors == ["kritis-demo-attestor"])
        #expect(verdict.message.contains("policy default/kritis-demo-policy satisfied"))
        #expect(verdict.missingAttestors.isEmpty)
    }

    @Test func batchVerdictsKeepTheOrderOfTheImages() throws {
        let images = ["alpine:3.11", "alpine@\(Images.digestA)", Images.signed]
        let verdicts = try harness().evaluate(images)
        #expect(verdicts.map(\.image) == images)
        #expect(verdicts.map(\.admitted) == [false, false, true])
    }

    @Test func malformedReferenceIsDeniedWithTheFault() throws {
        let verdict = try harness().verdict("Registry.example.com/App@sha256:XYZ")
        #expect(!verdict.admitted)
        #expect(verdict.reason == .malformedReference)
        #expect(verdict.details.first?.hasPrefix("invalid image reference") == true)
    }
}
