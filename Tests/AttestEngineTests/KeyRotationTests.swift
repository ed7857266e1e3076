import AttestCore
import AttestCrypto
import AttestEngine
import Testing

/// Attestors with several keys, and the Alibaba layout whose key carries no algorithm.
struct KeyRotationTests {
    private static let rotation = YAMLDocuments.file(
        YAMLDocuments.attestor(
            "ci",
            keys: [
                (id: "ci-2024", key: TestKeys.rsaA, algorithm: "rsa-pss-sha256"),
                (id: "ci-2025", key: TestKeys.ecP256, algorithm: "ecdsa-p256-sha256"),
            ]
        ),
        YAMLDocuments.policy("p", attestors: ["ci"])
    )

    @Test(arguments: [nil, "ci-2024", "ci-2025", "unknown-key"])
    func eitherKeyOfARotationAdmitsWhateverTheKeyIDHint(_ hint: String?) throws {
        let old = "\(Images.signedRepository)@\(Images.digestA)"
        let new = "\(Images.signedRepository)@\(Images.digestB)"
        let harness = try EngineHarness(yaml: Self.rotation)
        try harness.sign(old, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, keyID: hint)
        try harness.sign(new, with: TestKeys.ecP256, algorithm: .ecdsaP256SHA256, keyID: hint)
        let verdicts = harness.evaluate([old, new])
        #expect(verdicts.allSatisfy { $0.admitted })
        #expect(try harness.check(old, attestor: "ci").keyID == "ci-2024")
        #expect(try harness.check(new, attestor: "ci").keyID == "ci-2025")
    }

    @Test func keyIDHintByFingerprintOrKritisIDStillVerifies() throws {
        let harness = try EngineHarness(yaml: Self.rotation)
        let ecKey = TestKeys.ecP256.publicKey
        // Hints naming the key that did NOT sign: the verifier must still try the other key.
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, keyID: ecKey.fingerprintHex)
        #expect(harness.verdict(Images.signed).admitted)
        let other = "\(Images.signedRepository)@\(Images.digestB)"
        try harness.sign(other, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, keyID: ecKey.kritisKeyID)
        #expect(harness.verdict(other).admitted)
    }

    @Test func aKeyRemovedFromTheAttestorNoLongerAdmits() throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.attestor(
                    "ci",
                    keys: [(id: "ci-2025", key: TestKeys.ecP256, algorithm: "ecdsa-p256-sha256")]
                ),
                YAMLDocuments.policy("p", attestors: ["ci"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaA, algorithm: .rsaPSSSHA256, keyID: "ci-2024")
        #expect(!harness.verdict(Images.signed).admitted)
    }

    @Test(arguments: [SignatureAlgorithm.rsaPSSSHA256, .rsaPKCS1SHA256])
    func alibabaLayoutVerifiesBothPaddings(_ algorithm: SignatureAlgorithm) throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.legacyAttestor("ack", key: TestKeys.rsaC, keyID: "kms-key-0001"),
                YAMLDocuments.policy("p", attestors: ["ack"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaC, algorithm: algorithm)
        let verdict = harness.verdict(Images.signed)
        #expect(verdict.admitted)
        let check = try harness.check(Images.signed, attestor: "ack")
        #expect(check.keyID == "kms-key-0001")
        #expect(check.message.contains(algorithm.name))
    }

    @Test func alibabaLayoutStillRefusesOtherHashes() throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.legacyAttestor("ack", key: TestKeys.rsaC),
                YAMLDocuments.policy("p", attestors: ["ack"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.rsaC, algorithm: .rsaPKCS1SHA512)
        #expect(!harness.verdict(Images.signed).admitted)
    }

    @Test func alibabaLayoutKeyIDDefaultsToTheKritisID() throws {
        let harness = try EngineHarness(
            yaml: YAMLDocuments.file(
                YAMLDocuments.legacyAttestor("ack", key: TestKeys.ecP256),
                YAMLDocuments.policy("p", attestors: ["ack"])
            )
        )
        try harness.sign(Images.signed, with: TestKeys.ecP256, algorithm: .ecdsaP256SHA256)
        #expect(harness.verdict(Images.signed).admitted)
        #expect(try harness.check(Images.signed, attestor: "ack").keyID == TestKeys.ecP256.publicKey.kritisKeyID)
    }
}
