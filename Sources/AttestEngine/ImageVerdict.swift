/// The admission decision for one image in one namespace, with the reason in machine and human form.
public struct ImageVerdict: Sendable, Hashable {
    /// Why an image was admitted or denied; extensible without breaking callers.
    public struct Reason: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Admitted: an allowlist pattern matched.
        public static let allowlisted = Reason(rawValue: "allowlisted")
        /// Admitted: the namespace has no policy and the default decision is admit.
        public static let noPolicy = Reason(rawValue: "no-policy")
        /// Admitted: a policy of the namespace is satisfied.
        public static let attested = Reason(rawValue: "attested")
        /// Denied: no policy of the namespace is satisfied.
        public static let notAttested = Reason(rawValue: "not-attested")
        /// Denied: the image is referenced by tag, and only digests can be attested.
        public static let notAttestable = Reason(rawValue: "not-attestable")
        /// Denied: the image reference could not be parsed.
        public static let malformedReference = Reason(rawValue: "malformed-reference")
        /// Denied: the namespace has no policy and the default decision is deny.
        public static let defaultDeny = Reason(rawValue: "default-deny")
        /// Denied: a policy names no attestors, so nothing can satisfy it.
        public static let emptyPolicy = Reason(rawValue: "empty-policy")
        /// Denied (fail closed): attestations could not be read, so no definitive answer exists.
        public static let unavailable = Reason(rawValue: "unavailable")
    }

    /// The image exactly as the caller wrote it.
    public var image: String
    /// Whether the image may run.
    public var admitted: Bool
    /// The machine-readable reason.
    public var reason: Reason
    /// The human sentence; for an unattested image it begins `image IMAGE is not attested` (kritis's words).
    public var message: String
    /// Attestors that were satisfied, sorted.
    public var satisfiedAttestors: [String]
    /// Attestors a policy still needed, sorted; empty when admitted.
    public var missingAttestors: [String]
    /// Per-attestor explanations (`attestor: reason`), for details and warnings.
    public var details: [String]

    /// Creates a verdict.
    public init(
        image: String,
        admitted: Bool,
        reason: Reason,
        message: String,
        satisfiedAttestors: [String] = [],
        missingAttestors: [String] = [],
        details: [String] = []
    ) {
        self.image = image
        self.admitted = admitted
        self.reason = reason
        self.message = message
        self.satisfiedAttestors = satisfiedAttestors
        self.missingAttestors = missingAttestors
        self.details = details
    }
}
