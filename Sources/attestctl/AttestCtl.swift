import ArgumentParser

/// `attestctl`: sign, verify, store and check container-image attestations.
@main
struct AttestCtl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attestctl",
        abstract: "Sign, verify, store and check container-image attestations.",
        subcommands: [
            KeygenCommand.self,
            SignCommand.self,
            VerifyCommand.self,
            AttachCommand.self,
            ImportCommand.self,
            CheckCommand.self,
            ConfigCommand.self,
            PingCommand.self,
            StatsCommand.self,
            BenchCommand.self,
        ]
    )
}
