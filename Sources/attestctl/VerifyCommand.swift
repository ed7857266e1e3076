import ArgumentParser
import AttestCore
import AttestCrypto

/// `attestctl verify`: checks one detached signature and its payload against one key and one image.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a detached signature over a simple-signing payload for an image.",
        discussion: """
            Exit status: 0 when valid, 1 when invalid (bad signature, digest or identity mismatch, wrong type, \
            malformed payload), 2 when the input itself is unusable (unreadable file, bad key, unknown algorithm, \
            malformed reference).
            """
    )

    @Option(help: "Public key file (PEM SubjectPublicKeyInfo, PEM PKCS#1 RSA PUBLIC KEY, or DER).")
    var key: String

    @Option(name: .customLong("alg"), help: "Signature algorithm.")
    var algorithm: String

    @Option(help: "The image the signature must attest: REGISTRY/REPO@sha256:HEX.")
    var image: String

    @Option(help: "Payload file: the exact bytes that were signed.")
    var payload: String

    @Option(help: "Signature file: standard base64 (padding optional, whitespace ignored).")
    var signature: String

    @Option(
        name: .customLong("type"),
        help: "Accepted payload type (repeatable; default: the three known simple-signing types)."
    )
    var acceptedTypes: [String] = []

    func run() async throws {
        var outcome: VerificationOutcome?
        try await runReportingInputErrors {
            let algorithm = try parseAlgorithm(algorithm)
            let reference = try parseImage(image)
            let publicKey = try PublicKey.parse(
                try Files.read(key, what: "public key", limit: PublicKey.maximumEncodedSize)
            )
            try publicKey.ensureCompatible(with: algorithm)
            let payloadBytes = try Files.read(payload, what: "payload")
            let signatureText = try Files.readText(signature, what: "signature")
            let signatureBytes: [UInt8]
            do {
                signatureBytes = try Base64.decode(signatureText)
            } catch {
                throw InputError("signature \(signature) is not base64: \(error)")
            }
            guard !signatureBytes.isEmpty else { throw InputError("signature \(signature) is empty") }
            let valid = try VerifierContext().verify(
                signature: signatureBytes,
                message: payloadBytes,
                key: publicKey,
                algorithm: algorithm
            )
            if !valid {
                outcome = VerificationOutcome(
                    reason: .badSignature,
                    message: "the signature does not verify under key \(publicKey.kritisKeyID) with \(algorithm.name)"
                )
                return
            }
            let types = acceptedTypes.isEmpty ? SimpleSigningPayload.defaultAcceptedTypes : Set(acceptedTypes)
            let checked = PayloadChecker(acceptedTypes: types).check(payload: payloadBytes, image: reference)
            outcome =
                checked.isValid
                ? VerificationOutcome(
                    reason: .valid,
                    message:
                        "\(reference.identity)@\(reference.digest!) is attested by key \(publicKey.kritisKeyID) (\(algorithm.name))"
                )
                : checked
        }
        guard let outcome else { return }
        if outcome.isValid {
            print("valid: \(outcome.message)")
        } else {
            print("invalid (\(outcome.reason.rawValue)): \(outcome.message)")
            throw ExitStatus.negative
        }
    }
}
