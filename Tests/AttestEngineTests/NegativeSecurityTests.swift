import AttestCore
import AttestCrypto
import AttestEngine
import Testing

/// Attestations that must not admit: each is a way to reuse or forge a signature.
struct NegativeSecurityTests {
    private static let yaml = YAMLDocuments.file(
        YAMLDocuments.attestor("ci", key: TestKeys.rsaA),
        YAMLDocuments.policy("require-ci", attestors: ["ci"])
    )

    @Test func signatureByAKeyOutsideTheAttestorIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaB, algorithm: .rsaPSSSHA256)
        let verdict = harness.verdict(Images.signed)
        #expect(!verdict.admitted)
        #expect(verdict.reason == .notAttested)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .badSignature)
        #expect(verdict.details.contains { $0.contains("none signed by a key of attestor ci") })
    }

    @Test func signatureForAnotherDigestIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let imageB = "\(Images.signedRepository)@\(Images.digestB)"
        // A genuine signature for digest A, filed under digest B.
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, storedUnder: imageB)
        let verdict = harness.verdict(imageB)
        #expect(!verdict.admitted)
        let check = try harness.check(imageB, attestor: "ci")
        #expect(check.reason == .digestMismatch)
        #expect(!check.satisfied)
        #expect(harness.verdict(Images.signed).reason == .notAttested)
    }

    @Test func signatureForAnotherRepositoryWithTheSameDigestIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let other = "\(Images.otherRepository)@\(Images.digestA)"
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, storedUnder: other)
        let verdict = harness.verdict(other)
        #expect(!verdict.admitted)
        #expect(try harness.check(other, attestor: "ci").reason == .identityMismatch)
        #expect(verdict.details.contains { $0.contains("names repository \(Images.signedRepository)") })
    }

    @Test func dockerHubSignatureDoesNotCoverAnotherHubRepository() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let busybox = "busybox@\(Images.digestA)"
        try harness.sign(
            "alpine@\(Images.digestA)",
            with: TestKeys.rsaA,
            algorithm: .rsaPSSSHA256,
            storedUnder: busybox
        )
        #expect(!harness.verdict(busybox).admitted)
        #expect(try harness.check(busybox, attestor: "ci").reason == .identityMismatch)
    }

    @Test func tagImageOfASignedRepositoryIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        let image = "\(Images.signedRepository):latest"
        let verdict = harness.verdict(image)
        #expect(!verdict.admitted)
        #expect(verdict.reason == .notAttestable)
        #expect(verdict.message == "image \(image) is not attested")
        #expect(try harness.check(image, attestor: "ci").reason == .notAttestable)
    }

    @Test func tagPlusDigestOfASignedImageIsAdmittedByItsDigest() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        #expect(harness.verdict("\(Images.signedRepository):v1@\(Images.digestA)").admitted)
    }

    @Test func payloadModifiedAfterSigningIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let payload = try EngineHarness.payload(for: Images.signed)
        let signature = try TestKeys.rsaA.sign(payload, algorithm: .rsaPSSSHA256)
        // Same meaning, different bytes: the signature covers the exact bytes.
        var tampered = payload
        tampered.append(UInt8(ascii: " "))
        try harness.put(payload: tampered, signature: signature, under: Images.signed)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .badSignature)
    }

    @Test func signatureModifiedAfterSigningIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let payload = try EngineHarness.payload(for: Images.signed)
        var signature = try TestKeys.rsaA.sign(payload, algorithm: .rsaPSSSHA256)
        signature[signature.count / 2] ^= 0x01
        try harness.put(payload: payload, signature: signature, under: Images.signed)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .badSignature)
    }

    @Test func payloadTypeTheAttestorDoesNotAcceptIsDenied() throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.attestor(
                    "cosign-only",
                    keys: [(id: "k", key: TestKeys.rsaA, algorithm: "rsa-pss-sha256")],
                    acceptedTypes: [SimpleSigningPayload.cosignType]
                ),
                YAMLDocuments.policy("p", attestors: ["cosign-only"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "cosign-only").reason == .wrongType)
    }

    @Test func unknownPayloadTypeIsDeniedUnderTheDefaultTypes() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, type: "my own signature")
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .wrongType)
    }

    @Test func cosignTypeIsAcceptedByDefault() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(
            Images.signed,
            with: TestKeys.rsaA,
            algorithm: .rsaPSSSHA256,
            type: SimpleSigningPayload.cosignType
        )
        #expect(harness.verdict(Images.signed).admitted)
    }

    @Test func pssSignatureUnderAPKCS1OnlyAttestorIsDenied() throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.attestor("pkcs1", key: TestKeys.rsaA, algorithm: "RSA_SIGN_PKCS1_2048_SHA256"),
                YAMLDocuments.policy("p", attestors: ["pkcs1"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "pkcs1").reason == .badSignature)
    }

    @Test func pkcs1SignatureUnderAPSSOnlyAttestorIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPKCS1SHA256)
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .badSignature)
    }

    @Test func signatureOverAnotherHashIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA512)
        #expect(!harness.verdict(Images.signed).admitted)
    }

    @Test func garbageCandidatesDoNotHideAValidAttestation() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.put(payload: Array("{}".utf8), signature: [UInt8](repeating: 0, count: 256), under: Images.signed)
        try harness.put(payload: Array("not json".utf8), signature: [1, 2, 3], under: Images.signed)
        // Signed by the right key but for another repository: a payload failure, then the good one.
        try harness.sign(
            "\(Images.otherRepository)@\(Images.digestA)",
            with: TestKeys.rsaA,
            algorithm: .rsaPSSSHA256,
            storedUnder: Images.signed
        )
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256)
        #expect(harness.verdict(Images.signed).admitted)
    }

    @Test func payloadFailureIsReportedOverSignatureFailures() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        try harness.put(payload: Array("{}".utf8), signature: [UInt8](repeating: 7, count: 256), under: Images.signed)
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, type: "other")
        let check = try harness.check(Images.signed, attestor: "ci")
        #expect(check.reason == .wrongType)
        #expect(!check.satisfied)
    }

    @Test func signedMalformedPayloadIsDenied() throws {
        let harness = try EngineHarness(yaml: Self.yaml)
        let digest = Images.digestA
        let payload = Array(
            """
            {"critical":{"identity":{"docker-reference":"\(Images.signedRepository)"},\
            "image":{"docker-manifest-digest":"\(digest)"},"image":{"docker-manifest-digest":"\(digest)"},\
            "type":"atomic container signature"}}
            """.utf8
        )
        try harness.put(
            payload: payload,
            signature: try TestKeys.rsaA.sign(payload, algorithm: .rsaPSSSHA256),
            under: Images.signed
        )
        #expect(!harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ci").reason == .malformedPayload)
    }
}
