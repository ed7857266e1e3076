public import AttestCore

/// The cryptographic fact for one unit of work: is one attestor satisfied for one image?
///
/// This is what the daemon caches, batches and coalesces; policy is applied on top of it by
/// ``AdmissionEngine/decide(_:results:)`` on every request.
public struct AttestorCheck: Sendable, Hashable {
    /// Whether some stored attestation verified under one of the attestor's keys and passed the payload checks.
    public var satisfied: Bool
    /// Why: `.valid` when satisfied, otherwise the most telling failure among the candidates.
    public var reason: VerificationReason
    /// A human sentence explaining ``reason``.
    public var message: String
    /// The id of the key that verified, when satisfied.
    public var keyID: String?
    /// `true` when the answer is not definitive (the attestation source could not be read): never cache it.
    public var isTransient: Bool

    /// Creates a check result.
    public init(
        satisfied: Bool,
        reason: VerificationReason,
        message: String,
        keyID: String? = nil,
        isTransient: Bool = false
    ) {
        self.satisfied = satisfied
        self.reason = reason
        self.message = message
        self.keyID = keyID
        self.isTransient = isTransient
    }
}
