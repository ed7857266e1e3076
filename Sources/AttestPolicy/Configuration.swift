/// A loaded, validated attestd configuration: settings, attestors, namespaced policies and allowlists.
///
/// Build one with ``load(path:)`` or ``parse(yaml:file:)``; every key in it is already parsed and checked
/// against its algorithms, every pattern compiled, every policy's attestors resolved.
public struct Configuration: Sendable {
    /// attestd's own settings (`AttestdConfig`, or the defaults).
    public var settings: AttestdSettings
    /// Attestors by name.
    public var attestors: [String: Attestor]
    /// Policies by namespace, each list sorted by name.
    public var policiesByNamespace: [String: [Policy]]
    /// Alibaba `AdmissionAllowlist` rules from every `AdmissionAllowlist` object, in file order.
    public var admissionAllowlist: [AdmissionAllowlistRule]
    /// The file the configuration was read from.
    public var sourceFile: String

    /// Creates a configuration from parts (tests and programmatic use; the loader validates, this does not).
    ///
    /// - Parameters:
    ///   - settings: attestd settings.
    ///   - attestors: Attestors by name.
    ///   - policies: Every policy; grouped by namespace here.
    ///   - admissionAllowlist: AdmissionAllowlist rules.
    ///   - sourceFile: Where it came from.
    public init(
        settings: AttestdSettings = AttestdSettings(),
        attestors: [String: Attestor] = [:],
        policies: [Policy] = [],
        admissionAllowlist: [AdmissionAllowlistRule] = [],
        sourceFile: String = "<memory>"
    ) {
        self.settings = settings
        self.attestors = attestors
        self.policiesByNamespace = Dictionary(grouping: policies, by: \.namespace).mapValues {
            $0.sorted { $0.name < $1.name }
        }
        self.admissionAllowlist = admissionAllowlist
        self.sourceFile = sourceFile
    }

    /// The policies governing a namespace, sorted by name; empty when none does.
    ///
    /// - Parameter namespace: The Kubernetes namespace.
    /// - Returns: Its policies.
    public func policies(in namespace: String) -> [Policy] {
        policiesByNamespace[namespace] ?? []
    }

    /// Every policy, sorted by namespace then name.
    public var allPolicies: [Policy] {
        policiesByNamespace.keys.sorted().flatMap { policiesByNamespace[$0]! }
    }

    /// Looks an attestor up by name.
    ///
    /// - Parameter name: The attestor's `metadata.name`.
    /// - Returns: The attestor, or `nil` when none has that name.
    public func attestor(named name: String) -> Attestor? {
        attestors[name]
    }

    /// Finds the first allowlist pattern that admits the image in the namespace.
    ///
    /// Checked in order: the global patterns, the GAP patterns of the namespace's policies, then the
    /// `AdmissionAllowlist` rules whose namespace is unset or equal.
    ///
    /// - Parameters:
    ///   - image: The image exactly as written in the pod spec.
    ///   - namespace: The namespace the pod is created in.
    /// - Returns: The matching pattern and where it is configured, or `nil`.
    public func allowlistMatch(image: String, namespace: String) -> AllowlistMatch? {
        for pattern in settings.allowlistPatterns where pattern.matches(image: image) {
            return AllowlistMatch(pattern: pattern.pattern, origin: .global)
        }
        for policy in policies(in: namespace) {
            for pattern in policy.allowlistPatterns where pattern.matches(image: image) {
                return AllowlistMatch(pattern: pattern.pattern, origin: .policy(policy.qualifiedName))
            }
        }
        for rule in admissionAllowlist where rule.matches(image: image, namespace: namespace) {
            return AllowlistMatch(pattern: rule.namePattern.pattern, origin: .admissionAllowlist(rule.source))
        }
        return nil
    }

    /// Whether any allowlist admits the image in the namespace (see ``allowlistMatch(image:namespace:)``).
    ///
    /// - Parameters:
    ///   - image: The image exactly as written in the pod spec.
    ///   - namespace: The namespace the pod is created in.
    /// - Returns: `allowed` and, when allowed, the pattern that matched.
    public func isAllowlisted(image: String, namespace: String) -> (allowed: Bool, pattern: String?) {
        guard let match = allowlistMatch(image: image, namespace: namespace) else { return (false, nil) }
        return (true, match.pattern)
    }
}
