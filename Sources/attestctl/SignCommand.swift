import ArgumentParser
import AttestCore
import AttestCrypto
import AttestStore

/// `attestctl sign`: writes a simple-signing payload for an image and signs it (optionally storing it).
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an image digest: write the simple-signing payload and its base64 signature.",
        discussion: """
            Plays the registry's "sign on push" role. The payload names the image's repository identity and \
            manifest digest; the signature covers its exact bytes. With --store the attestation is also \
            stored in the embedded attestation store that attestd reads.
            """
    )

    @Option(help: "Private key file (PKCS#8 or traditional PEM).")
    var key: String

    @Option(name: .customLong("alg"), help: "Signature algorithm.")
    var algorithm: String

    @Option(help: "Image to sign, by digest: REGISTRY/REPO@sha256:HEX.")
    var image: String

    @Option(help: "Payload type (critical.type).")
    var type: String = SimpleSigningPayload.atomicType

    @Option(name: .customLong("output-payload"), help: "Where to write the payload JSON.")
    var outputPayload: String?

    @Option(name: .customLong("output-signature"), help: "Where to write the base64 signature.")
    var outputSignature: String?

    @Option(help: "Also store the attestation in this SQLite attestation store.")
    var store: String?

    @Option(
        name: .customLong("key-id"),
        help: "Key id recorded with the stored attestation (default: the kritis ni:/// id)."
    )
    var keyID: String?

    func validate() throws {
        if outputPayload == nil && outputSignature == nil && store == nil {
            throw ValidationError("nothing to do: give --output-payload and --output-signature, or --store")
        }
    }

    func run() async throws {
        try await runReportingInputErrors {
            let algorithm = try parseAlgorithm(algorithm)
            let reference = try parseImage(image)
            guard reference.isAttestable else {
                throw InputError("\(image) is referenced by tag; only digest references (REPO@sha256:…) can be signed")
            }
            let privateKey = try PrivateKey(pem: try Files.readText(key, what: "private key"))
            try privateKey.publicKey.ensureCompatible(with: algorithm)
            let payload = try SimpleSigningPayload(image: reference, type: type).serialized()
            let signature = try privateKey.sign(payload, algorithm: algorithm)
            if let outputPayload {
                try Files.write(payload, to: outputPayload, what: "payload")
            }
            if let outputSignature {
                try Files.write(Array((Base64.encode(signature) + "\n").utf8), to: outputSignature, what: "signature")
            }
            var stored = ""
            if let store {
                let attestation = StoredAttestation(
                    repository: reference.identity,
                    digest: reference.digest!.description,
                    payload: payload,
                    signature: signature,
                    keyID: keyID ?? privateKey.publicKey.kritisKeyID,
                    source: "sign"
                )
                let summary = try AttestationStore(path: store).put([attestation])
                stored = summary.inserted == 1 ? "; stored in \(store)" : "; already in \(store)"
            }
            print(
                "signed \(reference.identity)@\(reference.digest!) with \(algorithm.name) key \(privateKey.publicKey.kritisKeyID)\(stored)"
            )
        }
    }
}
