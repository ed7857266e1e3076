public import AttestCore

/// One page of an export of the attestation store, in insertion order.
public struct AttestationPage: Sendable, Hashable {
    /// The attestations of this page, oldest first.
    public var attestations: [StoredAttestation]
    /// The cursor to pass to ``AttestationStore/all(after:limit:)`` for the next page, or `nil` when this page
    /// was the last one.
    public var nextCursor: Int64?

    /// Creates a page.
    ///
    /// - Parameters:
    ///   - attestations: the attestations of the page.
    ///   - nextCursor: where the next page starts, or `nil` after the last page.
    public init(attestations: [StoredAttestation], nextCursor: Int64?) {
        self.attestations = attestations
        self.nextCursor = nextCursor
    }
}
