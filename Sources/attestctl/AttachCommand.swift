import ArgumentParser
import AttestCore
import AttestStore

/// `attestctl attach`: stores a signature made elsewhere (cosign's `attach signature`).
struct AttachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Store a detached signature made elsewhere in the attestation store.",
        discussion: "The attestation is stored as given; attestd verifies it when it decides admission."
    )

    @Option(help: "SQLite attestation store (created if missing).")
    var store: String

    @Option(help: "Image the signature attests: REGISTRY/REPO@sha256:HEX.")
    var image: String

    @Option(help: "Payload file: the exact bytes that were signed.")
    var payload: String

    @Option(help: "Signature file: standard base64.")
    var signature: String

    @Option(name: .customLong("key-id"), help: "Key id the signer used, if known.")
    var keyID: String?

    func run() async throws {
        try await runReportingInputErrors {
            let reference = try parseImage(image)
            guard let digest = reference.digest else {
                throw InputError("\(image) is referenced by tag; attestations attach to digests (REPO@sha256:…)")
            }
            let payloadBytes = try Files.read(payload, what: "payload", limit: AttestationStore.maximumPayloadSize)
            let signatureBytes: [UInt8]
            do {
                signatureBytes = try Base64.decode(try Files.readText(signature, what: "signature"))
            } catch let error as InputError {
                throw error
            } catch {
                throw InputError("signature \(signature) is not base64: \(error)")
            }
            guard !signatureBytes.isEmpty else { throw InputError("signature \(signature) is empty") }
            let summary = try AttestationStore(path: store).put([
                StoredAttestation(
                    repository: reference.identity,
                    digest: digest.description,
                    payload: payloadBytes,
                    signature: signatureBytes,
                    keyID: keyID,
                    source: "attach"
                )
            ])
            let what = summary.inserted == 1 ? "stored" : "already stored"
            print("\(what): \(reference.identity)@\(digest) in \(store)")
        }
    }
}
