import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import AttestStore
import Foundation
import Testing

/// Keys generated once per test process and never mutated (RSA-2048 keeps generation fast).
enum TestKeys {
    static let rsaA: PrivateKey = try! PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 2048)
    static let rsaB: PrivateKey = try! PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 2048)
    static let rsaC: PrivateKey = try! PrivateKey.generate(for: .rsaPKCS1SHA256, rsaBits: 2048)
    static let ecP256: PrivateKey = try! PrivateKey.generate(for: .ecdsaP256SHA256)
    static let ed25519: PrivateKey = try! PrivateKey.generate(for: .ed25519)
}

/// Images used across the engine tests.
enum Images {
    static let digestA = "sha256:" + String(repeating: "a1", count: 32)
    static let digestB = "sha256:" + String(repeating: "b2", count: 32)
    static let signedRepository = "registry.example.com/team/app"
    static let otherRepository = "registry.example.com/team/other"
    static let signed = "\(signedRepository)@\(digestA)"
}

/// Builds kritis/attestd YAML documents with real PEM keys embedded.
enum YAMLDocuments {
    /// Indents every non-empty line of a block for a YAML literal block scalar.
    static func indented(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }

    /// A kritis HEAD `AttestationAuthority` with PKIX keys.
    static func attestor(
        _ name: String,
        keys: [(id: String, key: PrivateKey, algorithm: String)],
        acceptedTypes: [String]? = nil
    ) -> String {
        var text = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: \(name)
            spec:
              noteReference: projects/test/notes/\(name)

            """
        if let acceptedTypes {
            text += "  acceptedTypes: [\(acceptedTypes.joined(separator: ", "))]\n"
        }
        text += "  publicKeys:\n"
        for entry in keys {
            text += """
                  - keyType: PKIX
                    keyId: \(entry.id)
                    pkixPublicKey:
                      signatureAlgorithm: \(entry.algorithm)
                      publicKeyPem: |
                \(indented(entry.key.publicKey.pem, by: 8))

                """
        }
        return text
    }

    /// A one-key kritis HEAD attestor named after its key id.
    static func attestor(_ name: String, key: PrivateKey, algorithm: String = "rsa-pss-sha256") -> String {
        attestor(name, keys: [(id: "\(name)-key", key: key, algorithm: algorithm)])
    }

    /// A kritis v0.2.2 / Alibaba `AttestationAuthority`: base64 of the PEM, no algorithm unless given.
    static func legacyAttestor(_ name: String, key: PrivateKey, keyID: String? = nil) -> String {
        var text = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: \(name)
            spec:
              noteReference: namespaces/\(name)
              publicKeyData: \(Data(key.publicKey.pem.utf8).base64EncodedString())

            """
        if let keyID { text += "  publicKeyId: \(keyID)\n" }
        return text
    }

    /// A `GenericAttestationPolicy`; `extraSpec` lines are indented under `spec`.
    static func policy(
        _ name: String,
        namespace: String = "default",
        attestors: [String],
        extraSpec: [String] = []
    ) -> String {
        var text = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: GenericAttestationPolicy
            metadata:
              name: \(name)
              namespace: \(namespace)
            spec:
              attestationAuthorityNames: [\(attestors.joined(separator: ", "))]

            """
        for line in extraSpec { text += "  \(line)\n" }
        return text
    }

    /// An `AttestdConfig` document; `spec` lines are indented under `spec`.
    static func settings(_ spec: [String]) -> String {
        "apiVersion: attestd.io/v1alpha1\nkind: AttestdConfig\nspec:\n" + spec.map { "  \($0)\n" }.joined()
    }

    /// Alibaba's `AdmissionAllowlist` with `(namePattern, namespace)` entries.
    static func admissionAllowlist(_ name: String, patterns: [(pattern: String, namespace: String?)]) -> String {
        var text = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AdmissionAllowlist
            metadata:
              name: \(name)
            spec:
              patterns:

            """
        for entry in patterns {
            text += "    - namePattern: \"\(entry.pattern)\"\n"
            if let namespace = entry.namespace { text += "      namespace: \(namespace)\n" }
        }
        return text
    }

    /// Joins documents into one multi-document file.
    static func file(_ documents: String...) -> String {
        documents.joined(separator: "---\n")
    }
}

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("attest-engine-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// One test's world: a configuration, a real SQLite store in a fresh directory, and the engine over both.
final class EngineHarness {
    let directory: TemporaryDirectory
    let configuration: Configuration
    let store: AttestationStore
    let engine: AdmissionEngine

    /// - Parameter yaml: the configuration, validated by the real loader.
    init(yaml: String) throws {
        directory = try TemporaryDirectory()
        configuration = try Configuration.parse(yaml: yaml, file: "test.yaml")
        store = try AttestationStore(path: directory.path("attestations.sqlite"))
        engine = AdmissionEngine(configuration: configuration)
    }

    /// The simple-signing payload for an image, as `attestctl sign` writes it.
    static func payload(for image: String, type: String = SimpleSigningPayload.atomicType) throws -> [UInt8] {
        try SimpleSigningPayload(image: try ImageReference(parsing: image), type: type).serialized()
    }

    /// Stores raw payload and signature bytes under `image`'s repository and digest.
    func put(payload: [UInt8], signature: [UInt8], under image: String, keyID: String? = nil) throws {
        let reference = try ImageReference(parsing: image)
        let summary = try store.put([
            StoredAttestation(
                repository: reference.identity,
                digest: reference.digest!.description,
                payload: payload,
                signature: signature,
                keyID: keyID,
                source: "test"
            )
        ])
        precondition(summary.inserted == 1, "attestation was not inserted")
    }

    /// Signs the payload for `image` and stores it under `storedUnder` (default: the same image).
    func sign(
        _ image: String,
        with key: PrivateKey,
        algorithm: SignatureAlgorithm,
        type: String = SimpleSigningPayload.atomicType,
        storedUnder: String? = nil,
        keyID: String? = nil
    ) throws {
        let payload = try Self.payload(for: image, type: type)
        let signature = try key.sign(payload, algorithm: algorithm)
        try put(payload: payload, signature: signature, under: storedUnder ?? image, keyID: keyID)
    }

    /// Decides images in-process, as `attestctl check` does.
    func evaluate(_ images: [String], namespace: String = "default") -> [ImageVerdict] {
        engine.evaluate(
            namespace: namespace,
            images: images,
            verifier: AttestationVerifier(source: store),
            context: VerifierContext()
        )
    }

    /// Decides one image.
    func verdict(_ image: String, namespace: String = "default") -> ImageVerdict {
        evaluate([image], namespace: namespace)[0]
    }

    /// The attestor check for one image, for assertions on the per-attestor reason.
    func check(_ image: String, attestor name: String) throws -> AttestorCheck {
        let attestor = try #require(configuration.attestor(named: name))
        return AttestationVerifier(source: store).check(
            image: try ImageReference(parsing: image),
            attestor: attestor,
            context: VerifierContext()
        )
    }
}
