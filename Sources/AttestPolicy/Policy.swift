/// A namespaced admission policy: kritis `GenericAttestationPolicy` plus attestd's `mode` and `threshold`.
///
/// An image passes a policy when it matches one of the policy's allowlist patterns or when enough of the
/// policy's attestors (``mode``) are satisfied; an attestor is satisfied when ANY of its keys verifies an
/// attestation for the image. A policy that lists no attestors admits nothing but its allowlist.
public struct Policy: Sendable, Hashable {
    /// The Kubernetes namespace the policy governs.
    public var namespace: String
    /// The policy's `metadata.name`.
    public var name: String
    /// The attestor names (`spec.attestationAuthorityNames`), in the order written, without duplicates.
    public var attestorNames: [String]
    /// `spec.admissionAllowlistPatterns`, compiled with GAP semantics.
    public var allowlistPatterns: [AllowlistPattern]
    /// How many attestors must be satisfied.
    public var mode: PolicyMode

    /// Creates a policy.
    ///
    /// - Parameters:
    ///   - namespace: The namespace the policy governs.
    ///   - name: The policy name.
    ///   - attestorNames: The attestors it requires; duplicates are dropped, order kept.
    ///   - allowlistPatterns: GAP allowlist patterns.
    ///   - mode: How many attestors must be satisfied.
    public init(
        namespace: String,
        name: String,
        attestorNames: [String],
        allowlistPatterns: [AllowlistPattern] = [],
        mode: PolicyMode = .all
    ) {
        self.namespace = namespace
        self.name = name
        var seen = Set<String>()
        self.attestorNames = attestorNames.filter { seen.insert($0).inserted }
        self.allowlistPatterns = allowlistPatterns
        self.mode = mode
    }

    /// `namespace/name`, the way messages name a policy.
    public var qualifiedName: String { "\(namespace)/\(name)" }

    /// The number of distinct satisfied attestors the policy needs (0 never happens: a policy without
    /// attestors cannot be satisfied).
    public var requiredCount: Int {
        switch mode {
        case .all: attestorNames.count
        case .any: attestorNames.isEmpty ? 0 : 1
        case .threshold(let count): count
        }
    }

    /// Whether the satisfied attestors meet this policy.
    ///
    /// - Parameter satisfiedAttestors: Names of the attestors with at least one verifying attestation; names
    ///   the policy does not list are ignored.
    /// - Returns: `false` always for a policy with no attestors.
    public func isSatisfied(by satisfiedAttestors: Set<String>) -> Bool {
        guard !attestorNames.isEmpty else { return false }
        let count = attestorNames.reduce(0) { $0 + (satisfiedAttestors.contains($1) ? 1 : 0) }
        return count >= max(1, requiredCount)
    }

    /// The listed attestors that are not satisfied, in the policy's order.
    ///
    /// - Parameter satisfiedAttestors: Names of the attestors with at least one verifying attestation.
    /// - Returns: The unsatisfied attestor names (empty when every attestor is satisfied).
    public func missingAttestors(given satisfiedAttestors: Set<String>) -> [String] {
        attestorNames.filter { !satisfiedAttestors.contains($0) }
    }

    /// Why the policy is not satisfied, or `nil` when it is.
    ///
    /// - Parameter satisfiedAttestors: Names of the attestors with at least one verifying attestation.
    /// - Returns: A sentence naming the policy, what it needs and which attestors are missing, for example
    ///   `policy default/require-ack needs all of 2 attestors (ack, ci); missing: ci`.
    public func unsatisfiedReason(given satisfiedAttestors: Set<String>) -> String? {
        guard !attestorNames.isEmpty else {
            return "policy \(qualifiedName) lists no attestors and admits no image outside its allowlist"
        }
        guard !isSatisfied(by: satisfiedAttestors) else { return nil }
        let listed = attestorNames.joined(separator: ", ")
        let missing = missingAttestors(given: satisfiedAttestors).joined(separator: ", ")
        let need: String
        switch mode {
        case .all: need = "all of \(attestorNames.count) attestors"
        case .any: need = "any of \(attestorNames.count) attestors"
        case .threshold(let count): need = "\(count) of \(attestorNames.count) attestors"
        }
        return "policy \(qualifiedName) needs \(need) (\(listed)); missing: \(missing)"
    }
}
