/// One entry of Alibaba's cluster-wide `AdmissionAllowlist` (`spec.patterns[]`): an image-name pattern,
/// optionally limited to one namespace.
public struct AdmissionAllowlistRule: Sendable, Hashable {
    /// The compiled `namePattern` (``AllowlistPattern/Syntax/admissionAllowlist`` semantics).
    public var namePattern: AllowlistPattern
    /// The namespace the rule applies to; `nil` applies it in every namespace.
    public var namespace: String?
    /// The `AdmissionAllowlist` object the rule came from.
    public var source: String

    /// Creates a rule.
    ///
    /// - Parameters:
    ///   - namePattern: The compiled pattern.
    ///   - namespace: The namespace it is limited to, or `nil` for all.
    ///   - source: The name of the `AdmissionAllowlist` holding it.
    public init(namePattern: AllowlistPattern, namespace: String? = nil, source: String) {
        self.namePattern = namePattern
        self.namespace = namespace
        self.source = source
    }

    /// Whether the rule admits the image in the namespace.
    ///
    /// - Parameters:
    ///   - image: The image exactly as written in the pod spec.
    ///   - namespace: The namespace the pod is created in.
    /// - Returns: `true` when the namespace fits and the pattern matches.
    public func matches(image: String, namespace: String) -> Bool {
        if let scope = self.namespace, scope != namespace { return false }
        return namePattern.matches(image: image)
    }
}
