import ArgumentParser
import AttestStore

/// `attestctl import`: loads attestations from Grafeas occurrences or JSON Lines into the store.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import attestations from Grafeas ATTESTATION occurrences (JSON) or JSON Lines.",
        discussion: """
            JSON Lines records are {"image": "REPO@sha256:…", "payload": BASE64, "signature": BASE64, \
            "keyId": "…"}. Bad records are reported by file and line and skipped; the rest are imported. \
            Exit status: 0 when every record was imported (or already present), 1 when some were rejected, \
            2 when a file or the store could not be used.
            """
    )

    /// Input layouts.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case auto, grafeas, jsonl
    }

    @Option(help: "SQLite attestation store (created if missing).")
    var store: String

    @Option(help: "Input format: auto (detected from the content), grafeas or jsonl.")
    var format: Format = .auto

    @Argument(help: "Files to import.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to import") }
    }

    func run() async throws {
        var total = ImportSummary()
        try await runReportingInputErrors {
            let store = try AttestationStore(path: store)
            let importer = AttestationImporter()
            let importFormat: ImportFormat =
                switch format {
                case .auto: .automatic
                case .grafeas: .grafeas
                case .jsonl: .jsonLines
                }
            for file in files {
                let summary = try importer.importFile(atPath: file, into: store, format: importFormat)
                for rejection in summary.rejections { printError("rejected: \(rejection)") }
                print("\(file): \(summary)")
                total.add(summary)
            }
        }
        if files.count > 1 { print("total: \(total)") }
        if total.rejected > 0 { throw ExitStatus.negative }
    }
}
