import AttestCore
import AttestCrypto
import Foundation

/// Keys and YAML snippets shared by the tests; everything is immutable and generated at test time.
enum TestKeys {
    /// An RSA-2048 key (the size Alibaba KMS uses).
    static let rsa: PrivateKey = try! PrivateKey.generate(for: .rsaPSSSHA256, rsaBits: 2048)
    /// A second RSA key, for rotation tests.
    static let rsaRotated: PrivateKey = try! PrivateKey.generate(for: .rsaPKCS1SHA256, rsaBits: 2048)
    /// An EC P-256 key.
    static let ecP256: PrivateKey = try! PrivateKey.generate(for: .ecdsaP256SHA256)
    /// An EC P-384 key.
    static let ecP384: PrivateKey = try! PrivateKey.generate(for: .ecdsaP384SHA384)

    /// The public PEM of a key.
    static func pem(_ key: PrivateKey) -> String { key.publicKey.pem }

    /// Base64 of the public PEM, the v0.2.2/Alibaba `publicKeyData`.
    static func publicKeyData(_ key: PrivateKey) -> String { Data(pem(key).utf8).base64EncodedString() }

    /// Indents every line of a block of text for a YAML literal block scalar.
    static func indented(_ text: String, by spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.isEmpty ? "" : pad + $0 }
            .joined(separator: "\n")
    }

    /// A v0.2.2/Alibaba AttestationAuthority document.
    static func legacyAuthority(name: String, key: PrivateKey, extraSpec: String = "") -> String {
        """
        apiVersion: kritis.grafeas.io/v1beta1
        kind: AttestationAuthority
        metadata:
          name: \(name)
        spec:
          noteReference: namespaces/\(name)
          publicKeyData: \(publicKeyData(key))
        \(extraSpec)
        """
    }

    /// A kritis HEAD AttestationAuthority document with PKIX keys.
    static func headAuthority(name: String, keys: [(id: String, key: PrivateKey, algorithm: String)]) -> String {
        var text = """
            apiVersion: kritis.grafeas.io/v1beta1
            kind: AttestationAuthority
            metadata:
              name: \(name)
            spec:
              noteReference: projects/demo/notes/\(name)
              publicKeys:

            """
        for entry in keys {
            text += """
                  - keyType: PKIX
                    keyId: \(entry.id)
                    pkixPublicKey:
                      signatureAlgorithm: \(entry.algorithm)
                      publicKeyPem: |
                \(indented(pem(entry.key), by: 8))

                """
        }
        return text
    }

    /// A GenericAttestationPolicy document.
    static func policy(
        name: String,
        namespace: String = "default",
        attestors: [String],
        extraSpec: String = ""
    ) -> String {
        """
        apiVersion: kritis.grafeas.io/v1beta1
        kind: GenericAttestationPolicy
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          attestationAuthorityNames: [\(attestors.joined(separator: ", "))]
        \(extraSpec)
        """
    }

    /// Joins documents with `---`.
    static func file(_ documents: String...) -> String {
        documents.joined(separator: "\n---\n")
    }
}
