import ArgumentParser

/// `attestd`: the attestation verification daemon.
@main
struct AttestdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attestd",
        abstract: "Serve attestation verification and admission decisions on a Unix socket."
    )
}
