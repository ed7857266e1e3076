import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import AttestStore
import Foundation
import Testing

/// A store written by another process (`attestctl sign --store`) and decided from this one.
struct CrossProcessStoreTests {
    private func runAttestctl(_ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try AttestctlBinary.path())
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Bounded: a hung child fails the test instead of hanging the run.
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if process.isRunning {
            process.terminate()
            Issue.record("attestctl \(arguments.first ?? "") did not finish within 120 s")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    @Test func storeWrittenByAttestctlIsDecidedInProcess() throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("signer.key")
        let storePath = directory.path("attestations.sqlite")
        try Data(TestKeys.rsaA.pkcs8PEM.utf8).write(to: URL(fileURLWithPath: keyPath))

        let status = try runAttestctl([
            "sign", "--key", keyPath, "--alg", "rsa-pss-sha256", "--image", Images.signed, "--store", storePath,
        ])
        try #require(status == 0)

        let configuration = try Configuration.parse(
            yaml: YAMLDocuments.file(
                YAMLDocuments.attestor("ci", key: TestKeys.rsaA),
                YAMLDocuments.policy("p", attestors: ["ci"])
            ),
            file: "test.yaml"
        )
        let verdicts = AdmissionEngine(configuration: configuration).evaluate(
            namespace: "default",
            images: [Images.signed, "\(Images.otherRepository)@\(Images.digestA)"],
            verifier: AttestationVerifier(source: try AttestationStore(path: storePath)),
            context: VerifierContext()
        )
        #expect(verdicts.map(\.admitted) == [true, false])
        let stored = try AttestationStore(path: storePath).attestations(
            repository: Images.signedRepository,
            digest: Images.digestA
        )
        #expect(stored.count == 1)
        #expect(stored.first?.source == "sign")
        #expect(stored.first?.keyID == TestKeys.rsaA.publicKey.kritisKeyID)
    }

    @Test func storeOpenInThisProcessSeesAttestationsAddedLater() throws {
        let directory = try TemporaryDirectory()
        let keyPath = directory.path("signer.key")
        let storePath = directory.path("attestations.sqlite")
        try Data(TestKeys.ecP256.pkcs8PEM.utf8).write(to: URL(fileURLWithPath: keyPath))
        let store = try AttestationStore(path: storePath)
        let configuration = try Configuration.parse(
            yaml: YAMLDocuments.file(
                YAMLDocuments.attestor("ci", key: TestKeys.ecP256, algorithm: "ecdsa-p256-sha256"),
                YAMLDocuments.policy("p", attestors: ["ci"])
            ),
            file: "test.yaml"
        )
        let engine = AdmissionEngine(configuration: configuration)
        let verifier = AttestationVerifier(source: store)
        let context = VerifierContext()
        #expect(
            !engine.evaluate(namespace: "default", images: [Images.signed], verifier: verifier, context: context)[0]
                .admitted
        )

        let status = try runAttestctl([
            "sign", "--key", keyPath, "--alg", "ecdsa-p256-sha256", "--image", Images.signed, "--store", storePath,
        ])
        try #require(status == 0)
        #expect(
            engine.evaluate(namespace: "default", images: [Images.signed], verifier: verifier, context: context)[0]
                .admitted
        )
    }
}
