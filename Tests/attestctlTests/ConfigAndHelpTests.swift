import Foundation
import Testing

/// `config check` and `--help` on every command.
struct ConfigAndHelpTests {
    @Test func configCheckOfAGoodFileExitsZeroWithASummary() throws {
        let directory = try TemporaryDirectory()
        let (_, pub) = try Fixtures.keygen(directory, name: "signer")
        let config = try directory.write(
            try Fixtures.configuration(publicKeyPath: pub, storePath: directory.path("s.sqlite")),
            to: "config.yaml"
        )
        let result = try CLI.attestctl("config", "check", config)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout.hasPrefix("\(config): valid"))
        #expect(result.stdout.contains("demo-attestor"))
        #expect(result.stdout.contains("default/demo-policy"))
    }

    @Test func exampleConfigurationIsValid() throws {
        let example = CLI.packageRoot.appendingPathComponent("examples/attestd.yaml").path
        let result = try CLI.attestctl("config", "check", example)
        #expect(result.status == 0, "\(result)")
    }

    @Test func configCheckOfABadFileNamesFileDocumentAndField() throws {
        let directory = try TemporaryDirectory()
        let (_, pub) = try Fixtures.keygen(directory, name: "signer")
        var text = try Fixtures.configuration(publicKeyPath: pub, storePath: directory.path("s.sqlite"))
        text = text.replacingOccurrences(
            of: "attestationAuthorityNames: [demo-attestor]",
            with: "attestationAuthorityNames: [nobody]"
        )
        let config = try directory.write(text, to: "broken.yaml")
        let result = try CLI.attestctl("config", "check", config)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("broken.yaml"), "\(result)")
        #expect(result.stderr.contains("document 2"), "\(result)")
        #expect(result.stderr.contains("attestationAuthorityNames"), "\(result)")
        #expect(result.stderr.contains("nobody"), "\(result)")
    }

    @Test func configCheckOfBadBase64NamesTheField() throws {
        let directory = try TemporaryDirectory()
        let (_, pub) = try Fixtures.keygen(directory, name: "signer")
        let good = try Fixtures.configuration(publicKeyPath: pub, storePath: directory.path("s.sqlite"))
        let config = try directory.write(
            good.replacingOccurrences(of: "publicKeyData: ", with: "publicKeyData: $$"),
            to: "bad64.yaml"
        )
        let result = try CLI.attestctl("config", "check", config)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("bad64.yaml"))
        #expect(result.stderr.contains("document 1"))
        #expect(result.stderr.contains("spec.publicKeyData"))
    }

    @Test func configCheckOfAMissingFileExitsTwo() throws {
        let result = try CLI.attestctl("config", "check", "/nonexistent/attestd.yaml")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("/nonexistent/attestd.yaml"))
    }

    /// The subcommands listed under `SUBCOMMANDS:` in a help text.
    private static func subcommands(in help: String) -> [String] {
        guard let range = help.range(of: "SUBCOMMANDS:") else { return [] }
        var names: [String] = []
        for line in help[range.upperBound...].split(separator: "\n") {
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else {
                if !line.hasPrefix(" ") { break }
                continue
            }
            if let name = line.split(separator: " ").first { names.append(String(name)) }
        }
        return names
    }

    @Test func everySubcommandHasHelp() throws {
        let top = try CLI.attestctl("--help")
        #expect(top.status == 0, "\(top)")
        let listed = Self.subcommands(in: top.stdout).filter { $0 != "help" }
        for required in ["keygen", "sign", "verify", "attach", "import", "check", "config"] {
            #expect(listed.contains(required), "\(required) missing from \(listed)")
        }
        var commands = listed.map { [$0] }
        for name in listed {
            let help = try CLI.attestctl(name, "--help")
            #expect(help.status == 0, "\(name) --help: \(help)")
            #expect(help.stdout.contains("USAGE:"), "\(name) --help: \(help)")
            commands += Self.subcommands(in: help.stdout).filter { $0 != "help" }.map { [name, $0] }
        }
        #expect(commands.contains(["config", "check"]))
        for command in commands where command.count == 2 {
            let help = try CLI.attestctl(command + ["--help"])
            #expect(help.status == 0, "\(command) --help: \(help)")
        }
    }

    @Test func unknownSubcommandOrMissingOptionFails() throws {
        #expect(try CLI.attestctl("frobnicate").status != 0)
        let missing = try CLI.attestctl("verify", "--alg", "ed25519")
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--key") || missing.stderr.contains("Missing"))
    }
}
