import ArgumentParser
import AttestPolicy

/// `attestctl config`: configuration tools.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with attestd configuration files.",
        subcommands: [Check.self]
    )

    /// `attestctl config check FILE`: validates and summarises a configuration.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate a configuration file and summarise what it configures.",
            discussion: "Exit status 0 when valid, 2 with the file, document, object and field named when not."
        )

        @Argument(help: "The YAML configuration file.")
        var file: String

        func run() async throws {
            try await runReportingInputErrors {
                let configuration = try Configuration.load(path: file)
                print("\(file): valid")
                print(configuration.summary)
            }
        }
    }
}
