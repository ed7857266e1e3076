/// The outcome of one VERIFY item (`u8`). Any other value is ``WireStatus/badFrame``.
public enum VerifyStatus: UInt8, Sendable, Hashable, CaseIterable {
    /// The signature verifies (and, with an image, the payload matches it).
    case valid = 0
    /// A definitive "no": bad signature, digest or identity mismatch, unaccepted type.
    case invalid = 1
    /// The check could not be made: unknown algorithm or attestor, unparsable key, internal failure.
    case error = 2
}
