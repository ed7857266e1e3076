import AttestCore
import AttestCrypto
import AttestEngine
import Testing

/// Docker Hub spellings name one repository; a payload's tag is ignored, a pinned digest must match.
struct RepositoryIdentityTests {
    private static let yaml = YAMLDocuments.file(
        YAMLDocuments.attestor("ci", key: TestKeys.rsaA),
        YAMLDocuments.policy("p", attestors: ["ci"])
    )

    @Test(arguments: ["alpine", "docker.io/library/alpine", "index.docker.io/library/alpine", "library/alpine"])
    func dockerHubSpellingsShareOneAttestation(_ signedAs: String) throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign("\(signedAs)@\(Images.digestA)", with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        for spelling in ["alpine", "docker.io/library/alpine", "index.docker.io/library/alpine"] {
            let verdict = harness.verdict("\(spelling)@\(Images.digestA)")
            #expect(verdict.admitted, "\(spelling) signed as \(signedAs): \(verdict.details)")
        }
        #expect(!harness.verdict("docker.io/other/alpine@\(Images.digestA)").admitted)
    }

    private func signRaw(_ harness: EngineHarness, dockerReference: String, digest: String) throws {
        let payload = SimpleSigningPayload(
            dockerReference: dockerReference,
            manifestDigest: digest,
            type: SimpleSigningPayload.atomicType
        ).serialized()
        try harness.put(
            payload: payload,
            signature: try TestKeys.rsaA.sign(payload, algorithm: .rsaPSSSHA256),
            under: Images.signed
        )
    }

    @Test func payloadNamingTheRepositoryWithATagIsAccepted() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try signRaw(harness, dockerReference: "\(Images.signedRepository):v1.2", digest: Images.digestA)
        #expect(harness.verdict(Images.signed).admitted)
    }

    @Test func payloadReferencePinningAnotherDigestIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try signRaw(harness, dockerReference: "\(Images.signedRepository)@\(Images.digestB)", digest: Images.digestA)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .digestMismatch)
    }

    @Test func payloadDigestInUpperCaseIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try signRaw(harness, dockerReference: Images.signedRepository, digest: Images.digestA.uppercased())
        #expect(!harness.verdict(Images.signed).admitted)
    }

    @Test func payloadNamingAPrefixOfTheRepositoryIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try signRaw(harness, dockerReference: "registry.example.com/team", digest: Images.digestA)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .identityMismatch)
    }

    @Test func payloadNamingAnotherRegistryIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try signRaw(harness, dockerReference: "evil.example.com/team/app", digest: Images.digestA)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .identityMismatch)
    }
}
