/// The policy decision for one image (`u8`). Any other value is ``WireStatus/badFrame``.
public enum CheckDecision: UInt8, Sendable, Hashable, CaseIterable {
    /// The image satisfies the namespace's policy (or is allowlisted).
    case admitted = 0
    /// The image does not satisfy the policy.
    case denied = 1
    /// No decision could be made (source unavailable, internal failure); callers fail closed.
    case error = 2
}
