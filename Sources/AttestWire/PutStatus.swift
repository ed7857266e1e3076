/// The outcome of storing one attestation (`u8`). Any other value is ``WireStatus/badFrame``.
public enum PutStatus: UInt8, Sendable, Hashable, CaseIterable {
    /// Newly stored.
    case stored = 0
    /// An identical attestation was already stored; nothing changed.
    case duplicate = 1
    /// Refused (malformed image reference, empty signature, store failure); the message says why.
    case rejected = 2
}
