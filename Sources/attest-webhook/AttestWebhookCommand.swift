import ArgumentParser

/// `attest-webhook`: the Kubernetes admission shim in front of attestd.
@main
struct AttestWebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attest-webhook",
        abstract: "Answer Kubernetes AdmissionReview requests over HTTPS by asking attestd."
    )
}
