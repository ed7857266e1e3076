import AttestEngine
import AttestWire

extension RequestHandler {
    /// The annotation that admits a workload despite failing images (kritis's breakglass).
    static let breakglassAnnotation = "kritis.grafeas.io/breakglass"

    /// Turns per-image verdicts into one admission decision, in kritis's words.
    ///
    /// Denied with the first failing image's message (`image X is not attested`) and a warning per failing
    /// image naming its missing attestors; admitted with those warnings when the breakglass annotation is
    /// `true` or the request is a dry run.
    ///
    /// - Parameters:
    ///   - request: the admission request.
    ///   - verdicts: one verdict per image, in order.
    /// - Returns: the ADMIT response.
    static func admission(_ request: AdmitRequest, verdicts: [ImageVerdict]) -> AdmitResponse {
        let results = verdicts.map(result)
        let failing = verdicts.filter { !$0.admitted }
        guard let first = failing.first else {
            return AdmitResponse(allowed: true, statusCode: 200, message: "", warnings: [], results: results)
        }
        var warnings = failing.map { verdict in
            var warning = verdict.message
            if !verdict.missingAttestors.isEmpty {
                warning += " (missing attestors: \(verdict.missingAttestors.joined(separator: ", ")))"
            }
            if !verdict.details.isEmpty { warning += ": " + verdict.details.joined(separator: "; ") }
            return warning
        }
        let breakglass = request.annotations.contains {
            $0.key == breakglassAnnotation && $0.value.lowercased() == "true"
        }
        if breakglass {
            warnings.insert(
                "breakglass annotation \(breakglassAnnotation) is set: admitted despite: \(first.message)",
                at: 0
            )
            return AdmitResponse(allowed: true, statusCode: 200, message: "", warnings: warnings, results: results)
        }
        if request.dryRun {
            warnings.insert("dry run: would deny: \(first.message)", at: 0)
            return AdmitResponse(allowed: true, statusCode: 200, message: "", warnings: warnings, results: results)
        }
        let undecidable = failing.allSatisfy { $0.reason == .unavailable }
        return AdmitResponse(
            allowed: false,
            statusCode: undecidable ? 500 : 403,
            message: first.message,
            warnings: warnings,
            results: results
        )
    }
}
