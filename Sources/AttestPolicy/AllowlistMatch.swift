/// Which allowlist admitted an image, for the verdict's reason.
public struct AllowlistMatch: Sendable, Hashable, CustomStringConvertible {
    /// Where the matching pattern is configured.
    public enum Origin: Sendable, Hashable {
        /// `AttestdConfig` `spec.allowlistPatterns`.
        case global
        /// A `GenericAttestationPolicy`'s `admissionAllowlistPatterns`; the payload is `namespace/name`.
        case policy(String)
        /// An `AdmissionAllowlist` object; the payload is its name.
        case admissionAllowlist(String)
    }

    /// The pattern as written.
    public var pattern: String
    /// Where it is configured.
    public var origin: Origin

    /// Creates a match record.
    ///
    /// - Parameters:
    ///   - pattern: The pattern as written.
    ///   - origin: Where it is configured.
    public init(pattern: String, origin: Origin) {
        self.pattern = pattern
        self.origin = origin
    }

    /// For example `allowlisted by pattern "gcr.io/distroless/*" of policy default/strict`.
    public var description: String {
        switch origin {
        case .global: "allowlisted by global pattern \"\(pattern)\""
        case .policy(let name): "allowlisted by pattern \"\(pattern)\" of policy \(name)"
        case .admissionAllowlist(let name): "allowlisted by pattern \"\(pattern)\" of AdmissionAllowlist \(name)"
        }
    }
}
