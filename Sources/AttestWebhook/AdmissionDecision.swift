import AttestCore

/// The webhook's answer to one review, and its encoding as an `AdmissionReview` response.
///
/// Kubernetes shows `status.message` to the user when `allowed` is false; `warnings` are shown on success
/// and failure alike (`kubectl` prints them as `Warning: …`).
public struct AdmissionDecision: Sendable, Hashable {
    /// Whether the object is admitted.
    public var allowed: Bool
    /// The HTTP-style code of a denial: 403 for a policy denial, 500 when attestd could not decide.
    public var code: Int
    /// The denial message, such as `image alpine:3.11 is not attested` (empty when admitted).
    public var message: String
    /// Every failing image with its missing attestors, and the dry-run and breakglass notes.
    public var warnings: [String]

    /// Creates a decision.
    /// - Parameters:
    ///   - allowed: Whether the object is admitted.
    ///   - code: The denial code (ignored when admitted).
    ///   - message: The denial message.
    ///   - warnings: Warnings shown to the user.
    public init(allowed: Bool, code: Int = 200, message: String = "", warnings: [String] = []) {
        self.allowed = allowed
        self.code = code
        self.message = message
        self.warnings = warnings
    }

    /// The prefix of every denial that is not attestd's decision but its absence.
    public static let undecidedPrefix = "attestd could not decide"

    /// A fail-closed denial (code 500): attestd did not give a usable answer.
    /// - Parameter why: What went wrong (connection refused, deadline, malformed answer).
    /// - Returns: The denial.
    public static func undecided(_ why: String) -> AdmissionDecision {
        AdmissionDecision(allowed: false, code: 500, message: "\(undecidedPrefix): \(why)")
    }

    /// The `AdmissionReview` answer to a review, in the review's own `apiVersion`.
    /// - Parameters:
    ///   - apiVersion: The review's `apiVersion`.
    ///   - uid: The review's `request.uid`.
    /// - Returns: The JSON body.
    public func reviewBody(apiVersion: String, uid: String) -> [UInt8] {
        var response: [(String, JSONValue)] = [("uid", .string(uid)), ("allowed", .bool(allowed))]
        if !allowed {
            let status: JSONValue = [
                "status": "Failure",
                "code": .integer(code),
                "reason": code == 403 ? "Forbidden" : "InternalError",
                "message": .string(message),
            ]
            response.append(("status", status))
        }
        if !warnings.isEmpty { response.append(("warnings", .array(warnings.map { .string($0) }))) }
        let review: JSONValue = [
            "apiVersion": .string(apiVersion),
            "kind": "AdmissionReview",
            "response": .object(JSONObject(uniqueKeysWithValues: response)),
        ]
        return review.serialized()
    }
}
