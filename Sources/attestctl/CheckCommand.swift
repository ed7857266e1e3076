import ArgumentParser
import AttestClient
import AttestCore
import AttestCrypto
import AttestEngine
import AttestPolicy
import AttestStore
import AttestWire
import Foundation

/// `attestctl check`: decides whether images may run in a namespace, as the admission webhook would.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Decide whether images may run in a namespace under the configured policies.",
        discussion: """
            Prints one line per image: "IMAGE: admitted (…)" or "IMAGE: denied: image IMAGE is not attested" \
            followed by the missing attestors. Exit status: 0 when all are admitted, 1 when any is denied, 2 on \
            unusable input. With --socket the daemon decides (CHECK request) under its own configuration; the \
            output and exit statuses are the same, and an unreachable daemon is exit status 2.
            """
    )

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Option(help: "Configuration file (kritis AttestationAuthority / GenericAttestationPolicy YAML).")
    var config: String?

    @Option(help: "Ask the attestd listening on this Unix socket instead of deciding in-process.")
    var socket: String?

    @Option(help: "Attestation store (default: the store path of the configuration).")
    var store: String?

    @Option(help: "Namespace the images would run in.")
    var namespace: String = "default"

    @Option(help: "Output format: text or json.")
    var output: Format = .text

    @Argument(help: "Images, as a workload names them.")
    var images: [String]

    func validate() throws {
        if images.isEmpty { throw ValidationError("give at least one image") }
        switch (config, socket) {
        case (nil, nil): throw ValidationError("give --config FILE (in-process) or --socket PATH (attestd)")
        case (.some, .some): throw ValidationError("give either --config or --socket, not both")
        default: break
        }
        if socket != nil, store != nil { throw ValidationError("--store applies to the in-process check only") }
    }

    func run() async throws {
        var verdicts: [ImageVerdict] = []
        if let socket {
            let results = try await DaemonLink.run(socket: socket) {
                try await $0.check(namespace: namespace, images: images)
            }
            verdicts = zip(images, results).map(Self.verdict)
            print(VerdictReport(namespace: namespace, verdicts: verdicts).render(output))
            if verdicts.contains(where: { !$0.admitted }) { throw ExitStatus.negative }
            return
        }
        try await runReportingInputErrors {
            let configuration = try Configuration.load(path: config ?? "")
            let storePath = store ?? configuration.settings.storePath
            guard FileManager.default.fileExists(atPath: storePath) else {
                throw InputError("attestation store \(storePath) does not exist (sign or import attestations first)")
            }
            let verifier = AttestationVerifier(
                source: try AttestationStore(path: storePath),
                maxPayloadSize: configuration.settings.limits.maxPayloadSize
            )
            verdicts = AdmissionEngine(configuration: configuration).evaluate(
                namespace: namespace,
                images: images,
                verifier: verifier,
                context: VerifierContext()
            )
        }
        print(VerdictReport(namespace: namespace, verdicts: verdicts).render(output))
        if verdicts.contains(where: { !$0.admitted }) { throw ExitStatus.negative }
    }

    /// The daemon's answer for one image, as the in-process engine would have reported it.
    static func verdict(image: String, result: CheckResult) -> ImageVerdict {
        // The daemon sends kritis's sentence and the details as one message ("image X is not attested: …");
        // split them again so both paths print the same line.
        var message = result.message
        var details: [String] = []
        let sentence = "image \(image) is not attested"
        if result.decision != .admitted, message.hasPrefix(sentence + ": ") {
            details = message.dropFirst(sentence.count + 2).components(separatedBy: "; ")
            message = sentence
        }
        return ImageVerdict(
            image: image,
            admitted: result.decision == .admitted,
            reason: ImageVerdict.Reason(rawValue: result.reason),
            message: message,
            satisfiedAttestors: result.satisfied,
            missingAttestors: result.missing,
            details: details
        )
    }
}

/// Renders verdicts the same way for the in-process and the daemon-backed check.
struct VerdictReport {
    var namespace: String
    var verdicts: [ImageVerdict]

    /// One verdict as JSON.
    struct Item: Encodable {
        var image: String
        var admitted: Bool
        var reason: String
        var message: String
        var satisfiedAttestors: [String]
        var missingAttestors: [String]
        var details: [String]
    }

    /// The whole report as JSON.
    struct Document: Encodable {
        var namespace: String
        var admitted: Bool
        var images: [Item]
    }

    func render(_ format: CheckCommand.Format) -> String {
        switch format {
        case .text:
            return verdicts.map(line).joined(separator: "\n")
        case .json:
            let document = Document(
                namespace: namespace,
                admitted: verdicts.allSatisfy(\.admitted),
                images: verdicts.map {
                    Item(
                        image: $0.image,
                        admitted: $0.admitted,
                        reason: $0.reason.rawValue,
                        message: $0.message,
                        satisfiedAttestors: $0.satisfiedAttestors,
                        missingAttestors: $0.missingAttestors,
                        details: $0.details
                    )
                }
            )
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: (try? encoder.encode(document)) ?? Data(), as: UTF8.self)
        }
    }

    private func line(_ verdict: ImageVerdict) -> String {
        if verdict.admitted {
            return "\(verdict.image): admitted (\(verdict.message))"
        }
        var text = "\(verdict.image): denied: \(verdict.message)"
        if !verdict.missingAttestors.isEmpty {
            text += "; missing attestors: \(verdict.missingAttestors.joined(separator: ", "))"
        }
        if !verdict.details.isEmpty {
            text += " (" + verdict.details.joined(separator: "; ") + ")"
        }
        return text
    }
}
